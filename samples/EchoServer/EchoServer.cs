using System.Net.Sockets;

namespace Asyncio.Samples.Net;

/// <summary>
/// A TCP echo server, in two styles: <c>streams</c> (asyncio's <c>start_server</c> with a reader and a writer per
/// connection) and <c>protocol</c> (a <see cref="Protocol"/> whose <c>DataReceived</c> writes the bytes back).
/// <c>--loops K</c> runs K loops on K threads, each with its own listening socket on the same port (SO_REUSEPORT).
/// </summary>
/// <example><c>dotnet run -c Release --project samples/EchoServer -- --port 8888 --style protocol --loops 2</c></example>
public static class EchoServer
{
    /// <summary>
    /// Starts an echo server in <paramref name="style"/> ("streams" or "protocol") on the running loop;
    /// <paramref name="accepted"/>, if given, is called for each connection accepted.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown style.</exception>
    public static Coroutine<Server> StartAsync(string style, string host, int port, bool reusePort = false, Action? accepted = null) => style switch
    {
        "streams" => Aio.StartServer(accepted is null ? EchoStreamAsync : (r, w) => { accepted(); return EchoStreamAsync(r, w); },
            host, port, backlog: 1024, reusePort: reusePort),
        "protocol" => Aio.GetRunningLoop().CreateServer(() => { accepted?.Invoke(); return new EchoProtocol(); },
            host, port, backlog: 1024, reusePort: reusePort),
        _ => throw new ArgumentException($"unknown style '{style}': streams or protocol", nameof(style)),
    };

    /// <summary>The streams handler: read what is there, write it back, drain, until the end of the stream.</summary>
    private static async Coroutine EchoStreamAsync(AioStreamReader reader, AioStreamWriter writer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await reader.ReadAsync(buffer);
                if (n == 0)
                {
                    break;
                }

                writer.Write(buffer.AsSpan(0, n));
                await writer.DrainAsync();
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The peer reset the connection: nothing to echo to.
        }
        finally
        {
            writer.Close();
        }
    }

    /// <summary>
    /// The protocol style: every byte received is written straight back; when the peer does not read and the write
    /// buffer goes over its high-water mark, reading pauses until it drains (flow control).
    /// </summary>
    private sealed class EchoProtocol : Protocol
    {
        private Transport? _transport;

        public override void ConnectionMade(Transport transport) => _transport = transport;

        public override void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);

        public override void PauseWriting() => _transport!.PauseReading();

        public override void ResumeWriting() => _transport!.ResumeReading();
    }

    /// <summary>Serves until Ctrl-C (SIGINT) or SIGTERM; prints "listening on HOST:PORT ..." once every loop listens.</summary>
    public static int Main(string[] args)
    {
        Dictionary<string, string> o;
        try
        {
            o = SampleHost.ParseArgs(args, "host", "port", "style", "loops");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        string host = o.Str("host", "127.0.0.1");
        int port = o.Int("port", 8888);
        string style = o.Str("style", "protocol");
        int loops = o.Int("loops", 1);
        if (style is not ("streams" or "protocol"))
        {
            Console.Error.WriteLine($"unknown --style '{style}': streams or protocol");
            return 2;
        }

        var perLoop = new int[loops];   // connections accepted by each loop (each written by its own thread only)
        var (stop, signals) = SampleHost.StopOnSignals();
        using (signals)
        using (stop)
        {
            int code = SampleHost.RunLoops(loops, port,
                async (index, bindPort, bound, token) =>
                {
                    Server server = await StartAsync(style, host, bindPort, reusePort: loops > 1, accepted: () => perLoop[index]++);
                    bound(SampleHost.PortOf(server));
                    await SampleHost.WaitCancelledAsync(token);
                    server.Close();
                    server.AbortClients();
                    await server.WaitClosedAsync();
                },
                actual =>
                {
                    Console.WriteLine($"listening on {host}:{actual} style={style} loops={loops} pid={Environment.ProcessId}");
                    Console.Out.Flush();
                },
                stop);
            Console.WriteLine($"stopped; connections accepted per loop: {string.Join(", ", perLoop)}");
            return code;
        }
    }
}
