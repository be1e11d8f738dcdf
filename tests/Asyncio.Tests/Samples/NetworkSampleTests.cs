using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Asyncio.Samples.Net;

namespace Asyncio.Tests.Samples;

/// <summary>
/// The network samples (samples/EchoServer, EchoClient, ChatServer, HttpServer, Pipeline) against real sockets and
/// processes on 127.0.0.1, ephemeral ports. Real clock: every wait is bounded by <see cref="Limit"/> seconds, so a
/// broken sample fails the test instead of hanging it.
/// </summary>
public partial class NetworkSampleTests
{
    // real-time: sockets and child processes run in real time; this bounds each test's waits (they take milliseconds).
    private const double Limit = 30;

    private static T Run<T>(Func<Coroutine<T>> body) => Aio.Run(() => Aio.WaitFor(body(), Limit));

    private static void Run(Func<Coroutine> body) => Aio.Run(() => Aio.WaitFor(body(), Limit));

    private static int PortOf(Server server) => ((System.Net.IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

    private static async Coroutine StopAsync(Server server)
    {
        server.Close();
        server.AbortClients();
        await server.WaitClosedAsync();
    }

    // ------------------------------------------------------------------ echo

    [Theory]
    [InlineData("streams")]
    [InlineData("protocol")]
    public void EchoServer_ManyConnections_EveryByteComesBack(string style)
    {
        var (small, large) = Run(async () =>
        {
            Server server = await EchoServer.StartAsync(style, "127.0.0.1", 0);
            try
            {
                long s = await EchoClient.RunAsync("127.0.0.1", PortOf(server), connections: 20, size: 1024, count: 20);
                long l = await EchoClient.RunAsync("127.0.0.1", PortOf(server), connections: 2, size: 256 * 1024, count: 3);
                return (s, l);
            }
            finally
            {
                await StopAsync(server);
            }
        });
        Assert.Equal(400, small);
        Assert.Equal(6, large);
    }

    [Theory]
    [InlineData("streams")]
    [InlineData("protocol")]
    public void EchoServer_HalfClose_EchoesEverythingThenCloses(string style)
    {
        var payload = new byte[300 * 1024];
        new Random(7).NextBytes(payload);
        byte[] back = Run(async () =>
        {
            Server server = await EchoServer.StartAsync(style, "127.0.0.1", 0);
            try
            {
                var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
                AioTask<byte[]> all = Aio.CreateTask(reader.ReadAsync(-1));   // read while writing: the echo flows back at once
                writer.Write(payload);
                await writer.DrainAsync();
                writer.WriteEof();
                byte[] result = await all;
                writer.Close();
                return result;
            }
            finally
            {
                await StopAsync(server);
            }
        });
        Assert.Equal(payload, back);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    private const int SIGTERM = 15;

    private static Process StartSample(string name, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project references samples/{name}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    private static string ReadLine(Process p)
    {
        // real-time: bounded wait for the child to print its next line.
        Task<string?> line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(Limit)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"the child printed nothing within {Limit} s; stderr: {p.StandardError.ReadToEnd()}");
        }

        return line.Result ?? throw new InvalidOperationException("the child closed its stdout: " + p.StandardError.ReadToEnd());
    }

    [Fact]
    public void EchoServer_TwoLoopsInAChildProcess_ShareThePortAndStopOnSigterm()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;   // SO_REUSEPORT balancing and signals as on Linux
        }

        using Process p = StartSample("EchoServer", "--host", "127.0.0.1", "--port", "0", "--style", "protocol", "--loops", "2");
        try
        {
            string listening = ReadLine(p);
            Match m = ListeningLine().Match(listening);
            Assert.True(m.Success, listening);
            int port = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

            // 40 connections: the kernel hashes each to one of the two listeners, so both get some (all on one: 2^-39).
            long echoed = Run(() => EchoClient.RunAsync("127.0.0.1", port, connections: 40, size: 512, count: 10));
            Assert.Equal(400, echoed);

            Assert.Equal(0, kill(p.Id, SIGTERM));
            string stopped = ReadLine(p);
            Match s = StoppedLine().Match(stopped);
            Assert.True(s.Success, stopped);
            int a = int.Parse(s.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int b = int.Parse(s.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(40, a + b);
            Assert.True(a > 0 && b > 0, stopped);

            // real-time: bounded wait for the child to exit after the signal.
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(Limit)), "the server did not exit after SIGTERM");
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"^listening on 127\.0\.0\.1:(\d+) style=protocol loops=2 pid=\d+$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^stopped; connections accepted per loop: (\d+), (\d+)$")]
    private static partial Regex StoppedLine();

    // ------------------------------------------------------------------ chat

    private sealed class ChatClient(AioStreamReader reader, AioStreamWriter writer)
    {
        public AioStreamReader Reader => reader;

        public static async Coroutine<ChatClient> ConnectAsync(int port, string expectWelcome)
        {
            var (r, w) = await Aio.OpenConnection("127.0.0.1", port);
            var c = new ChatClient(r, w);
            Assert.StartsWith(expectWelcome, await c.LineAsync());
            return c;
        }

        public async Coroutine<string> LineAsync() => Encoding.UTF8.GetString(await reader.ReadLineAsync()).TrimEnd('\n');

        public async Coroutine SayAsync(string line)
        {
            writer.Write(Encoding.UTF8.GetBytes(line + "\n"));
            await writer.DrainAsync();
        }

        public void Close() => writer.Close();
    }

    [Fact]
    public void ChatServer_BroadcastsToOthers_RenamesAndAnnouncesLeaving()
    {
        Run(async () =>
        {
            var chat = new ChatServer();
            Server server = await chat.StartAsync("127.0.0.1", 0);
            int port = PortOf(server);
            try
            {
                ChatClient a = await ChatClient.ConnectAsync(port, "* welcome, guest1");
                ChatClient b = await ChatClient.ConnectAsync(port, "* welcome, guest2");
                Assert.Equal("* guest2 joined", await a.LineAsync());
                ChatClient c = await ChatClient.ConnectAsync(port, "* welcome, guest3");
                Assert.Equal("* guest3 joined", await a.LineAsync());
                Assert.Equal("* guest3 joined", await b.LineAsync());

                await a.SayAsync("/nick alice");
                Assert.Equal("* you are now alice", await a.LineAsync());
                Assert.Equal("* guest1 is now alice", await b.LineAsync());
                Assert.Equal("* guest1 is now alice", await c.LineAsync());

                await b.SayAsync("/nick alice");
                Assert.Equal("* cannot take the name 'alice'", await b.LineAsync());

                await a.SayAsync("hello, everyone");
                Assert.Equal("alice: hello, everyone", await b.LineAsync());
                Assert.Equal("alice: hello, everyone", await c.LineAsync());

                // alice does not get her own line back: the next thing she reads is what b says.
                await b.SayAsync("hi alice");
                Assert.Equal("guest2: hi alice", await a.LineAsync());
                Assert.Equal("guest2: hi alice", await c.LineAsync());

                await c.SayAsync("/quit");
                Assert.Equal("* guest3 left", await a.LineAsync());
                Assert.Equal("* guest3 left", await b.LineAsync());
                Assert.Empty(await c.Reader.ReadLineAsync());   // the server closed c

                b.Close();   // leaving by closing the connection
                Assert.Equal("* guest2 left", await a.LineAsync());
                Assert.Equal(1, chat.ClientCount);
                a.Close();
            }
            finally
            {
                await StopAsync(server);
            }
        });
    }

    // ------------------------------------------------------------------ http

    private static async Coroutine<(string Head, string Body)> ReadResponseAsync(AioStreamReader reader, bool headOnly = false)
    {
        string head = Encoding.ASCII.GetString(await reader.ReadUntilAsync("\r\n\r\n"u8.ToArray()));
        Match length = Regex.Match(head, @"Content-Length: (\d+)\r\n");
        Assert.True(length.Success, head);
        int n = headOnly ? 0 : int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (head, Encoding.ASCII.GetString(await reader.ReadExactlyAsync(n)));
    }

    [Fact]
    public void HttpServer_KeepAlive_ServesSeveralRequestsOnOneConnection_AndHonoursConnectionClose()
    {
        Run(async () =>
        {
            Server server = await HttpServer.StartAsync("127.0.0.1", 0);
            int port = PortOf(server);
            try
            {
                var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
                writer.Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8);
                var (h1, b1) = await ReadResponseAsync(reader);
                Assert.StartsWith("HTTP/1.1 200 OK\r\n", h1);
                Assert.DoesNotContain("Connection: close", h1);
                Assert.Equal("Hello, World!\n", b1);

                // Two pipelined requests, one with a body to skip, then a 404 and a HEAD.
                writer.Write("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcdeGET /missing HTTP/1.1\r\nHost: x\r\n\r\n"u8);
                var (h2, _) = await ReadResponseAsync(reader);
                Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", h2);
                var (h3, b3) = await ReadResponseAsync(reader);
                Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", h3);
                Assert.Equal("Not Found\n", b3);
                writer.Write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"u8);
                var (h4, _) = await ReadResponseAsync(reader, headOnly: true);
                Assert.Contains("Content-Length: 14\r\n", h4);

                writer.Write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8);
                var (h5, b5) = await ReadResponseAsync(reader);
                Assert.Contains("Connection: close\r\n", h5);
                Assert.Equal("Hello, World!\n", b5);
                Assert.Empty(await reader.ReadAsync(-1));   // and the server closed the connection
                Assert.True(reader.AtEof);
                writer.Close();

                // HTTP/1.0 closes by default.
                var (r2, w2) = await Aio.OpenConnection("127.0.0.1", port);
                w2.Write("GET / HTTP/1.0\r\n\r\n"u8);
                var (h6, _) = await ReadResponseAsync(r2);
                Assert.Contains("Connection: close\r\n", h6);
                Assert.Empty(await r2.ReadAsync(-1));
                w2.Close();
            }
            finally
            {
                await StopAsync(server);
            }
        });
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/", true)]
    [InlineData("GET /x HTTP/1.1\r\nconnection: Close\r\n\r\n", "GET", "/x", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", "/", true)]
    [InlineData("HEAD / HTTP/1.0\r\n\r\n", "HEAD", "/", false)]
    public void HttpServer_ParsesRequestHeads(string head, string method, string target, bool keepAlive)
    {
        Assert.True(HttpServer.TryParse(Encoding.ASCII.GetBytes(head), out HttpServer.Request r));
        Assert.Equal((method, target, keepAlive), (r.Method, r.Target, r.KeepAlive));
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET / HTTP/2.0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n")]
    public void HttpServer_RejectsBadHeads(string head) =>
        Assert.False(HttpServer.TryParse(Encoding.ASCII.GetBytes(head), out _));

    // ------------------------------------------------------------------ pipeline

    [Fact]
    public void Pipeline_LsIntoGrep_KeepsTheMatchingNames()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;   // subprocesses with loop-owned pipes need Linux
        }

        string dir = Directory.CreateTempSubdirectory("pipeline-").FullName;
        try
        {
            foreach (string name in new[] { "a.txt", "b.log", "c.txt", "notes.md" })
            {
                File.WriteAllText(Path.Combine(dir, name), "");
            }

            for (int i = 0; i < 2000; i++)
            {
                File.WriteAllText(Path.Combine(dir, $"bulk-{i:D4}.dat"), "");   // enough names to need more than one pipe read
            }

            Pipeline.Result found = Run(() => Pipeline.RunAsync(dir, "txt"));
            Assert.Equal(new Pipeline.Result(0, 0, "a.txt\nc.txt\n"), found);

            Pipeline.Result bulk = Run(() => Pipeline.RunAsync(dir, "bulk-"));
            Assert.Equal(2000, bulk.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

            Pipeline.Result none = Run(() => Pipeline.RunAsync(dir, "nothing-like-this"));
            Assert.Equal(new Pipeline.Result(0, 1, ""), none);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
