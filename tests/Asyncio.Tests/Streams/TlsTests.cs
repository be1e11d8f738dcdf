using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Asyncio.Tests.Streams;

public class TlsTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); TlsTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    private static SslClientAuthenticationOptions TrustAll() => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = (_, _, _, _) => true,
    };

    [Fact]
    public void TlsEcho_OpenConnectionAndStartServerWithSsl()
    {
        using X509Certificate2 cert = SelfSigned();
        string got = Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(async (r, w) =>
            {
                byte[] line = await r.ReadLineAsync();
                w.Write(line);
                await w.DrainAsync();
                w.Close();
            }, "127.0.0.1", 0, ssl: new SslServerAuthenticationOptions { ServerCertificate = cert });
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port, ssl: TrustAll());
            Assert.NotNull(writer.GetExtraInfo("ssl_object"));
            writer.Write("secret hello\n"u8);
            string answer = Encoding.ASCII.GetString(await reader.ReadLineAsync());
            writer.Close();
            server.Close();
            return answer;
        }, LoopRun.Io(Backend, virtualTime: false));
        Assert.Equal("secret hello\n", got);
    }

    [Fact]
    public void StartTls_UpgradesAPlainConnection()
    {
        using X509Certificate2 cert = SelfSigned();
        string got = Aio.Run(async () =>
        {
            var serverOptions = new SslServerAuthenticationOptions { ServerCertificate = cert };
            Server server = await Aio.StartServer(async (r, w) =>
            {
                Assert.Equal("STARTTLS\n", Encoding.ASCII.GetString(await r.ReadLineAsync()));
                w.Write("GO\n"u8);
                await w.DrainAsync();
                // the server side upgrades through the raw transport API
                var app = w.Transport.Protocol;
                await Asyncio.IO.TlsTransport.HandshakeAsync(Asyncio.IO.TlsTransport.Prepare(w.Transport), app, null, serverOptions);
            }, "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
            writer.Write("STARTTLS\n"u8);
            Assert.Equal("GO\n", Encoding.ASCII.GetString(await reader.ReadLineAsync()));
            await writer.StartTlsAsync(TrustAll());
            Assert.NotNull(writer.GetExtraInfo("ssl_object"));
            writer.Close();
            server.Close();
            return "upgraded";
        }, LoopRun.Io(Backend, virtualTime: false));
        Assert.Equal("upgraded", got);
    }

    [Fact]
    public void TlsHandshake_UntrustedCertificate_Fails()
    {
        using X509Certificate2 cert = SelfSigned();
        Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(async (r, w) => await r.ReadAsync(-1), "127.0.0.1", 0,
                ssl: new SslServerAuthenticationOptions { ServerCertificate = cert });
            server.Loop.SetExceptionHandler((_, _) => { });   // the server side reports its failed handshake
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var e = await Assert.ThrowsAnyAsync<System.Security.Authentication.AuthenticationException>(async () =>
                await Aio.OpenConnection("127.0.0.1", port, ssl: new SslClientAuthenticationOptions { TargetHost = "localhost" }));
            Assert.Contains("certificate", e.Message, StringComparison.OrdinalIgnoreCase);
            server.Close();
        }, LoopRun.Io(Backend, virtualTime: false));
    }
}

/// <summary>Every test of <see cref="TlsTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class TlsTestsOnPortableBackend : TlsTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
