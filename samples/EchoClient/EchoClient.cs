using System.Diagnostics;

namespace Asyncio.Samples.Net;

/// <summary>
/// An echo client: C connections, each sending M messages of S bytes one at a time and checking that every byte comes
/// back in order. Built on <see cref="Aio.OpenConnection"/>.
/// </summary>
/// <example><c>dotnet run -c Release --project samples/EchoClient -- --port 8888 --connections 10 --count 1000 --size 1024</c></example>
public static class EchoClient
{
    /// <summary>
    /// Runs the connections concurrently and returns the number of messages echoed. Each message's bytes depend on the
    /// connection and the message number, so a mixed-up or shifted echo is caught.
    /// </summary>
    /// <exception cref="InvalidDataException">A byte came back wrong, or the server closed early.</exception>
    public static async Coroutine<long> RunAsync(string host, int port, int connections, int size, int count)
    {
        var clients = new List<Coroutine<long>>();
        for (int c = 0; c < connections; c++)
        {
            clients.Add(OneConnectionAsync(host, port, c, size, count));
        }

        long[] done = await Aio.Gather(clients);
        return done.Sum();
    }

    private static async Coroutine<long> OneConnectionAsync(string host, int port, int id, int size, int count)
    {
        var (reader, writer) = await Aio.OpenConnection(host, port);
        var message = new byte[size];
        var back = new byte[size];
        try
        {
            for (int m = 0; m < count; m++)
            {
                Fill(message, id, m);
                writer.Write(message);
                await writer.DrainAsync();
                try
                {
                    await reader.ReadExactlyAsync(back);
                }
                catch (IncompleteReadError e)
                {
                    throw new InvalidDataException($"connection {id}: the server closed after {e.Partial.Length} of {size} bytes of message {m}", e);
                }

                if (!back.AsSpan().SequenceEqual(message))
                {
                    int at = back.AsSpan().CommonPrefixLength(message);
                    throw new InvalidDataException($"connection {id}, message {m}: byte {at} came back as {back[at]}, sent {message[at]}");
                }
            }

            return count;
        }
        finally
        {
            writer.Close();
            await writer.WaitClosedAsync();
        }
    }

    /// <summary>The bytes of message <paramref name="m"/> on connection <paramref name="id"/>.</summary>
    public static void Fill(Span<byte> message, int id, int m)
    {
        for (int i = 0; i < message.Length; i++)
        {
            message[i] = (byte)((i * 7) + (id * 13) + (m * 31));
        }
    }

    /// <summary>Prints "ok: N messages ..." and returns 0, or prints the error and returns 1.</summary>
    public static int Main(string[] args)
    {
        Dictionary<string, string> o;
        try
        {
            o = SampleHost.ParseArgs(args, "host", "port", "connections", "size", "count");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        string host = o.Str("host", "127.0.0.1");
        int port = o.Int("port", 8888), connections = o.Int("connections", 10), size = o.Int("size", 1024), count = o.Int("count", 1000);
        try
        {
            var clock = Stopwatch.StartNew();
            long done = Aio.Run(() => RunAsync(host, port, connections, size, count));
            double s = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"ok: {done} messages of {size} bytes over {connections} connections in {s:F2} s ({done / s:F0} round trips/s)");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
