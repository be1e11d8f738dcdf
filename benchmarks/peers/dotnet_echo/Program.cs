using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DotnetEcho;

/// <summary>
/// The .NET baseline of benchmarks/peers: a plain Socket echo server, one async loop per connection on the thread
/// pool (Socket.ReceiveAsync/SendAsync). Set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 to run completions on the
/// epoll thread instead of the pool. Prints "listening on 127.0.0.1:PORT ..." once it listens; stops on SIGINT/SIGTERM.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string host = "127.0.0.1";
        int port = 8888;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--host": host = args[i + 1]; break;
                case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse(host), port));
        listener.Listen(1024);
        string inline = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1" ? "inline" : "pool";
        Console.WriteLine($"listening on {host}:{((IPEndPoint)listener.LocalEndPoint!).Port} impl=dotnet-{inline} pid={Environment.ProcessId}");
        try
        {
            while (true)
            {
                Socket conn = await listener.AcceptAsync(stop.Token);
                conn.NoDelay = true;
                _ = EchoAsync(conn);
            }
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }
}
