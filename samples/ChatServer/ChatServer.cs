using System.Net.Sockets;
using System.Text;

namespace Asyncio.Samples.Net;

/// <summary>
/// A line-based chat server on streams: every line a client sends is broadcast to the other clients as
/// "NAME: text". <c>/nick NAME</c> renames, <c>/quit</c> leaves. Each client has an outbox
/// (<see cref="AsyncQueue{T}"/>) drained by its own sender task, so one slow reader never blocks the others; a client
/// whose outbox fills up is disconnected.
/// </summary>
/// <example><c>dotnet run --project samples/ChatServer -- --port 8889</c>, then <c>nc 127.0.0.1 8889</c> from two terminals.</example>
public sealed class ChatServer
{
    /// <summary>The most messages waiting for one client before it is dropped as too slow.</summary>
    public const int OutboxSize = 1024;

    private readonly HashSet<Client> _clients = [];
    private int _guests;

    /// <summary>Clients connected now.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Starts serving on the running loop.</summary>
    public Coroutine<Server> StartAsync(string host, int port) => Aio.StartServer(HandleAsync, host, port, limit: 4096);

    private sealed class Client(string name, AioStreamWriter writer)
    {
        public string Name = name;
        public readonly AioStreamWriter Writer = writer;
        public readonly AsyncQueue<byte[]> Outbox = new(OutboxSize);

        public void Send(string text)
        {
            if (!Outbox.TryPut(Encoding.UTF8.GetBytes(text)))
            {
                Writer.Transport.Abort();   // too slow: its reader sees the end and cleans up
            }
        }
    }

    private async Coroutine HandleAsync(AioStreamReader reader, AioStreamWriter writer)
    {
        var me = new Client($"guest{++_guests}", writer);
        AioTask sender = Aio.CreateTask(SendLoopAsync(me));
        me.Send($"* welcome, {me.Name}: /nick NAME to rename, /quit to leave\n");
        Broadcast(me, $"* {me.Name} joined\n");
        _clients.Add(me);
        try
        {
            while (true)
            {
                byte[] raw;
                try
                {
                    raw = await reader.ReadLineAsync();
                }
                catch (ArgumentException)
                {
                    me.Send($"* line too long (limit {reader.Limit} bytes): dropped\n");
                    continue;
                }

                if (raw.Length == 0)
                {
                    break;   // end of stream
                }

                string line = Encoding.UTF8.GetString(raw).TrimEnd('\r', '\n');
                if (line == "/quit")
                {
                    break;
                }

                if (line.StartsWith("/nick ", StringComparison.Ordinal))
                {
                    string name = line["/nick ".Length..].Trim();
                    if (name.Length is 0 or > 32 || name.Any(char.IsWhiteSpace) || _clients.Any(c => c.Name == name))
                    {
                        me.Send($"* cannot take the name '{name}'\n");
                        continue;
                    }

                    Broadcast(me, $"* {me.Name} is now {name}\n");
                    me.Name = name;
                    me.Send($"* you are now {name}\n");
                }
                else if (line.Length > 0)
                {
                    Broadcast(me, $"{me.Name}: {line}\n");
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // Reset by the peer: leave as if it had quit.
        }
        finally
        {
            _clients.Remove(me);
            Broadcast(me, $"* {me.Name} left\n");
            me.Outbox.Shutdown();   // the sender flushes what is queued, then ends
            await sender;
            writer.Close();
        }
    }

    private static async Coroutine SendLoopAsync(Client me)
    {
        try
        {
            await foreach (byte[] message in me.Outbox)
            {
                me.Writer.Write(message);
                await me.Writer.DrainAsync();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
        {
            // The connection is gone (or closing): the rest of the outbox has nowhere to go.
        }
    }

    private void Broadcast(Client from, string text)
    {
        foreach (Client c in _clients.ToArray())
        {
            if (!ReferenceEquals(c, from))
            {
                c.Send(text);
            }
        }
    }

    /// <summary>Serves until Ctrl-C or SIGTERM.</summary>
    public static int Main(string[] args)
    {
        Dictionary<string, string> o;
        try
        {
            o = SampleHost.ParseArgs(args, "host", "port");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        string host = o.Str("host", "127.0.0.1");
        var (stop, signals) = SampleHost.StopOnSignals();
        using (signals)
        using (stop)
        {
            return SampleHost.RunLoops(1, o.Int("port", 8889),
                async (_, port, bound, token) =>
                {
                    var chat = new ChatServer();
                    Server server = await chat.StartAsync(host, port);
                    bound(SampleHost.PortOf(server));
                    await SampleHost.WaitCancelledAsync(token);
                    server.Close();
                    server.CloseClients();
                    await server.WaitClosedAsync();
                },
                actual => Console.WriteLine($"chat listening on {host}:{actual} (try: nc {host} {actual})"),
                stop);
        }
    }
}
