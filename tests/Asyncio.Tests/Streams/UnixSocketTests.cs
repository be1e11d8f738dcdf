using System.Text;

namespace Asyncio.Tests.Streams;

public class UnixSocketTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); UnixSocketTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    [Fact]
    public void UnixServer_EchoLine_AndSocketFileRemovedOnClose()
    {
        string dir = Path.Combine(Path.GetTempPath(), "aio-unix-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "echo.sock");
        try
        {
            string got = Aio.Run(async () =>
            {
                Server server = await Aio.StartUnixServer(async (r, w) =>
                {
                    byte[] line = await r.ReadLineAsync();
                    w.Write(line);
                    await w.DrainAsync();
                    w.Close();
                }, path);
                Assert.True(File.Exists(path));
                var (reader, writer) = await Aio.OpenUnixConnection(path);
                writer.Write("over unix\n"u8);
                string answer = Encoding.ASCII.GetString(await reader.ReadLineAsync());
                writer.Close();
                server.Close();
                await server.WaitClosedAsync();
                Assert.False(File.Exists(path));
                return answer;
            }, LoopRun.Io(Backend));
            Assert.Equal("over unix\n", got);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UnixServer_RegularFileInTheWay_Throws()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "not a socket");
        try
        {
            Aio.Run(async () =>
            {
                var e = await Assert.ThrowsAsync<IOException>(async () => await Aio.StartUnixServer(async (r, w) => await Aio.Sleep(0), path));
                Assert.Contains("not a socket", e.Message);
            }, LoopRun.Io(Backend, virtualTime: false));
            Assert.Equal("not a socket", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OpenUnixConnection_NothingListening_Throws()
    {
        Aio.Run(async () =>
        {
            var e = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(async () => await Aio.OpenUnixConnection("/tmp/no-such-aio.sock"));
            Assert.Contains("/tmp/no-such-aio.sock", e.Message);
        }, LoopRun.Io(Backend, virtualTime: false));
    }
}

/// <summary>Every test of <see cref="UnixSocketTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class UnixSocketTestsOnPortableBackend : UnixSocketTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
