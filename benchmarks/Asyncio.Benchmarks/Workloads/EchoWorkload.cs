using System.Net;
using Asyncio.Benchmarks.Harness;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// streams_echo and protocol_echo: the two server styles of <c>samples/EchoServer</c> (and of the network peers
/// benchmark) on one loop, with their clients on the same loop. 100 loopback TCP connections each keep one 1 KiB
/// request in flight; the server echoes it with streams (<c>ReadAsync(Memory)</c>, <c>Write</c>, <c>DrainAsync</c>) or
/// with a <see cref="Protocol"/> whose <c>DataReceived</c> calls <c>transport.Write</c>. The client is a protocol in
/// both, identical, so streams − protocol is what the streams style costs on top. Figures are the loop thread's CPU
/// time per round trip (user + system, and user alone: the kernel's loopback work is most of the system part) and the
/// bytes it allocated; wall-time throughput says little on a shared machine.
/// </summary>
internal sealed class EchoWorkload : IWorkload
{
    private const int Connections = 100;
    /// <summary>Bytes per request: 1 KiB, or ASYNCIO_ECHO_SIZE (e.g. 16384; echo-perf.sh passes the environment on).</summary>
    private static readonly int RequestSize =
        int.TryParse(Environment.GetEnvironmentVariable("ASYNCIO_ECHO_SIZE"), out int size) && size > 0 ? size : 1024;

    private readonly bool _streams;
    private readonly bool _protocol;

    /// <summary>Measures the streams style, the protocol style, or both (interleaved).</summary>
    public EchoWorkload(bool streams = true, bool protocol = true)
    {
        _streams = streams;
        _protocol = protocol;
    }

    public string Name => _streams && _protocol ? "echo" : _streams ? "streams_echo" : "protocol_echo";

    public string Summary => "CPU ns (user+sys, user) and bytes per 1 KiB (ASYNCIO_ECHO_SIZE) echo round trip on 100 loopback TCP connections, one loop: streams_echo vs protocol_echo.";

    public IReadOnlyList<Metric> Metrics => [Metric.CpuNsPerOp, Metric.UserNsPerOp, Metric.BytesPerOp, Metric.OpsPerSec];

    public IReadOnlyList<Target> Targets =>
    [
        Target.For("streams_echo", Metric.BytesPerOp, 0.5, "0 B"),
        Target.For("protocol_echo", Metric.BytesPerOp, 0.5, "0 B"),
    ];

    public bool FullSizeFirstWarmUp => false;

    public IReadOnlyList<Case> Cases(Options o)
    {
        var cases = new List<Case>();
        if (_streams)
        {
            cases.Add(new("streams_echo", Runtime.Asyncio, null, warm => Run(streams: true, o.Ops(200_000, warm), warm)));
        }

        if (_protocol)
        {
            cases.Add(new("protocol_echo", Runtime.Asyncio, null, warm => Run(streams: false, o.Ops(200_000, warm), warm)));
        }

        return cases;
    }

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"echo: {Format.Count(o.Ops(200_000, false))} round trips of {RequestSize} B per measurement over {Connections} loopback TCP " +
                     "connections, client (a protocol) and server on one loop; cpu/user ns per op from getrusage(RUSAGE_THREAD) of the loop thread. " +
                     "streams_echo − protocol_echo is the streams style's own cost.";
    }

    public static Sample Run(bool streams, long n, bool warm) => Aio.Run(() => Measured(streams, n, warm));

    private static async Coroutine<Sample> Measured(bool streams, long n, bool warm)
    {
        EventLoop loop = Aio.GetRunningLoop();
        Server server = streams
            ? await Aio.StartServer(EchoStreamAsync, "127.0.0.1", 0, backlog: 1024)
            : await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, backlog: 1024);
        int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
        var clients = new List<(Transport Transport, ClientProtocol Protocol)>();
        for (int i = 0; i < Connections; i++)
        {
            clients.Add(await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", port));
        }

        // One round trip per connection first: the buffers every connection allocates once are not counted.
        var firstRun = new ClientRun(loop, Connections);
        foreach (var (_, protocol) in clients)
        {
            protocol.Run = firstRun;
            protocol.SendNext();
        }

        await firstRun.Done;
        var run = new ClientRun(loop, n);
        foreach (var (_, protocol) in clients)
        {
            protocol.Run = run;
        }

        if (!warm)
        {
            PerfControl.Enable();
        }

        long a0 = Measure.ThreadAllocated();
        double c0 = Measure.ThreadCpuSeconds();
        double u0 = Measure.ThreadUserSeconds();
        long t0 = Measure.Now;
        foreach (var (_, protocol) in clients)
        {
            protocol.SendNext();
        }

        await run.Done;
        long t1 = Measure.Now;
        double u1 = Measure.ThreadUserSeconds();
        double c1 = Measure.ThreadCpuSeconds();
        long a1 = Measure.ThreadAllocated();
        if (!warm)
        {
            PerfControl.Disable();
        }

        foreach (var (transport, _) in clients)
        {
            transport.Close();
        }

        server.Close();
        await server.WaitClosedAsync();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0, c1 - c0).Set(Metric.UserNsPerOp, (u1 - u0) * 1e9 / n);
    }

    /// <summary>The streams handler of samples/EchoServer: read what is there, write it back, drain, until EOF.</summary>
    private static async Coroutine EchoStreamAsync(AioStreamReader reader, AioStreamWriter writer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int got = await reader.ReadAsync(buffer);
                if (got == 0)
                {
                    break;
                }

                writer.Write(buffer.AsSpan(0, got));
                await writer.DrainAsync();
            }
        }
        catch (IOException)
        {
            // the client reset the connection
        }
        finally
        {
            writer.Close();
        }
    }

    /// <summary>The protocol handler of samples/EchoServer.</summary>
    private sealed class EchoProtocol : Protocol
    {
        private Transport? _transport;

        public override void ConnectionMade(Transport transport) => _transport = transport;

        public override void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);

        public override void PauseWriting() => _transport!.PauseReading();

        public override void ResumeWriting() => _transport!.ResumeReading();
    }

    /// <summary>The round trips left to start and to finish, shared by every client connection. Loop thread only.</summary>
    private sealed class ClientRun(EventLoop loop, long total)
    {
        public long ToStart = total;
        public long Left = total;
        public readonly Future<bool> Done = loop.CreateFuture<bool>();
    }

    /// <summary>One client connection: sends a request, waits for all of its bytes to come back, sends the next.</summary>
    private sealed class ClientProtocol : Protocol
    {
        private static readonly byte[] s_request = Enumerable.Range(0, RequestSize).Select(i => (byte)i).ToArray();
        private Transport? _transport;
        private int _pending;

        public ClientRun Run { get; set; } = null!;

        public override void ConnectionMade(Transport transport) => _transport = transport;

        public void SendNext()
        {
            if (Run.ToStart > 0)
            {
                Run.ToStart--;
                _pending = RequestSize;
                _transport!.Write(s_request);
            }
        }

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            _pending -= data.Length;
            if (_pending > 0)
            {
                return;
            }

            if (_pending < 0)
            {
                throw new InvalidOperationException($"echo: {-_pending} bytes more came back than were sent.");
            }

            if (--Run.Left == 0)
            {
                Run.Done.TrySetResult(true);
            }

            SendNext();
        }
    }
}
