using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Asyncio;

/// <summary>
/// Reads the tasks of another process (the client side of <c>aio ps</c> and <c>aio pstree</c>). The process must have
/// opted in, with <c>ASYNCIO_INSPECT=1</c> or <see cref="LoopOptions.EnableInspection"/>, run on Linux, and run as the
/// same user. It answers even while its loop is stalled.
/// </summary>
public static class ProcessInspector
{
    /// <summary>Asks process <paramref name="pid"/> for a snapshot of its tasks.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="timeout">How long to wait for the answer (default 5 s).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pid"/> is not positive, or <paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException">No process has this id.</exception>
    /// <exception cref="InvalidOperationException">The process does not accept inspection, refused it, or did not answer in time.</exception>
    public static ProcessSnapshot Query(int pid, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(5);
        if (wait <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        }

        string name = ProcessName(pid);
        string path = InspectionServer.SocketPath(pid);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Process {pid} ({name}) does not accept inspection: start it with ASYNCIO_INSPECT=1, or create its loops with LoopOptions.EnableInspection = true.");
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = socket.SendTimeout = (int)Math.Min(int.MaxValue, wait.TotalMilliseconds);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send("ps\n"u8);
            byte[] reply = ReadAll(socket);
            if (reply.AsSpan().StartsWith("error:"u8))
            {
                throw new InvalidOperationException($"Process {pid} ({name}) refused the inspection: {Encoding.UTF8.GetString(reply).Trim()}");
            }

            return JsonSerializer.Deserialize<ProcessSnapshot>(reply, InspectionJson.Options)
                ?? throw new InvalidOperationException($"Process {pid} ({name}) sent an empty inspection reply.");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            throw new InvalidOperationException($"Process {pid} ({name}) has an inspection socket at {path}, but nothing answers on it.", e);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new InvalidOperationException($"Process {pid} ({name}) did not answer the inspection within {wait.TotalSeconds:0.#} s.", e);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Process {pid} ({name}) sent an inspection reply this version cannot read: {e.Message}", e);
        }
    }

    private static string ProcessName(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"There is no process with id {pid}.", nameof(pid), e);
        }
    }

    private static byte[] ReadAll(Socket socket)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            int n = socket.Receive(chunk);
            if (n == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, n);
        }
    }
}
