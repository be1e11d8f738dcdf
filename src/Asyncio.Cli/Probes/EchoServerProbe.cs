using Asyncio.Cli.Compare.Measurements;
using System.Net;
using System.Net.Sockets;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Probes;

/// <summary>
/// Child process: a TCP echo server on 127.0.0.1 that answers every <c>size</c>-byte request with the same bytes, in
/// one of two designs — <c>threads</c>: a blocking <see cref="Socket"/> served by a dedicated OS thread per connection;
/// <c>loop</c>: one Asyncio.NET loop (<see cref="Aio.StartServer"/>, a task per connection). It prints its port and
/// serves until its stdin closes. Running the server alone in a process lets the parent read its RSS and CPU time.
/// </summary>
internal static class EchoServerProbe
{
    public static int Run(string mode, int size, TextWriter output)
    {
        ParentWatch.Start();
        return mode switch
        {
            "threads" => RunThreads(size, output),
            "loop" => RunLoop(size, output),
            _ => throw new ArgumentException($"unknown echo server mode '{mode}'; use threads or loop.", nameof(mode)),
        };
    }

    private static int RunThreads(int size, TextWriter output)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096);
        ThreadProbe.Emit(output, new ProbeLine { Type = "start", Port = ((IPEndPoint)listener.LocalEndPoint!).Port, OsThreads = ProcInfo.Memory().Threads });
        while (true)
        {
            Socket client = listener.Accept();
            client.NoDelay = true;
            new Thread(() => Serve(client, size)) { IsBackground = true }.Start();
        }
    }

    private static void Serve(Socket client, int size)
    {
        var buffer = new byte[size];
        try
        {
            while (true)
            {
                int got = 0;
                while (got < size)
                {
                    int n = client.Receive(buffer, got, size - got, SocketFlags.None);
                    if (n == 0)
                    {
                        return;
                    }

                    got += n;
                }

                int sent = 0;
                while (sent < size)
                {
                    sent += client.Send(buffer, sent, size - sent, SocketFlags.None);
                }
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static int RunLoop(int size, TextWriter output) => Aio.Run(async () =>
    {
        Server server = await Aio.StartServer((reader, writer) => Serve(reader, writer, size), "127.0.0.1", 0, backlog: 4096);
        int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
        ThreadProbe.Emit(output, new ProbeLine { Type = "start", Port = port, OsThreads = ProcInfo.Memory().Threads });
        await server.ServeForeverAsync();
        return 0;
    }, MeasureLoop.Options);

    private static async Coroutine Serve(AioStreamReader reader, AioStreamWriter writer, int size)
    {
        var buffer = new byte[size];
        try
        {
            while (true)
            {
                await reader.ReadExactlyAsync(buffer);
                writer.Write(buffer);
                await writer.DrainAsync();
            }
        }
        catch (EndOfStreamException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            writer.Close();
        }
    }
}
