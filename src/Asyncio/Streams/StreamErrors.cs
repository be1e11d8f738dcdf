namespace Asyncio;

/// <summary>
/// The stream ended before the requested bytes arrived (asyncio's <c>IncompleteReadError</c>); <see cref="Partial"/>
/// holds what was read.
/// </summary>
public sealed class IncompleteReadError : EndOfStreamException
{
    /// <summary>Creates the error.</summary>
    public IncompleteReadError(byte[] partial, int? expected)
        : base($"{partial.Length} bytes read on a total of {(expected is int n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "undefined")} expected bytes")
    {
        Partial = partial;
        Expected = expected;
    }

    /// <summary>The bytes read before the end of the stream.</summary>
    public byte[] Partial { get; }

    /// <summary>How many bytes were expected; null for a read until a separator.</summary>
    public int? Expected { get; }
}

/// <summary>
/// A separator was not found within the reader's limit (asyncio's <c>LimitOverrunError</c>); the data stays buffered.
/// </summary>
public sealed class LimitOverrunError : IOException
{
    /// <summary>Creates the error.</summary>
    public LimitOverrunError(string message, int consumed)
        : base(message)
    {
        Consumed = consumed;
    }

    /// <summary>How many bytes can be consumed (asyncio's <c>consumed</c>).</summary>
    public int Consumed { get; }
}
