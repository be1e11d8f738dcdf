namespace Asyncio.IO;

/// <summary>The protocol of a raw transport until a TLS handshake takes it over.</summary>
internal sealed class PlaceholderProtocol : Protocol
{
}
