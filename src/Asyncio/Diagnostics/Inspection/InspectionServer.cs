using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Asyncio.IO;

namespace Asyncio;

/// <summary>
/// Answers <c>aio ps</c>/<c>aio pstree</c> for the loops of this process that enabled inspection: a Unix domain socket
/// (<see cref="SocketPath(int)"/>, mode 0600) served by a thread of its own, so that it answers while a loop is
/// stalled. Only a peer running as the same user is served (SO_PEERCRED). Request: one line, <c>ps</c>; reply: the
/// <see cref="ProcessSnapshot"/> as JSON, then the connection closes.
/// </summary>
internal static class InspectionServer
{
    /// <summary>How long a loop gets to take its own snapshot before it is read from outside as stalled.</summary>
    private static readonly TimeSpan LoopAnswerTimeout = TimeSpan.FromMilliseconds(500);

    private static readonly object s_gate = new();
    private static readonly List<(int Index, EventLoop Loop)> s_loops = new();
    private static int s_nextIndex;
    private static Thread? s_thread;
    private static Socket? s_listener;

    /// <summary>Where the process with id <paramref name="pid"/> listens.</summary>
    public static string SocketPath(int pid)
    {
        string dir = Path.GetTempPath();
        string path = Path.Combine(dir, $"asyncio-inspect-{pid}.sock");
        return Encoding.UTF8.GetByteCount(path) < 100 ? path : $"/tmp/asyncio-inspect-{pid}.sock";   // sun_path holds 108 bytes
    }

    public static void Register(EventLoop loop)
    {
        lock (s_gate)
        {
            if (s_thread is null)
            {
                Start();
            }

            s_loops.Add((s_nextIndex++, loop));
        }
    }

    public static void Unregister(EventLoop loop)
    {
        lock (s_gate)
        {
            s_loops.RemoveAll(e => ReferenceEquals(e.Loop, loop));
        }
    }

    private static void Start()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "Task inspection (LoopOptions.EnableInspection, ASYNCIO_INSPECT) needs Linux: it checks the peer's user with SO_PEERCRED.");
        }

        string path = SocketPath(Environment.ProcessId);
        File.Delete(path);   // a stale socket of an earlier process that had our pid
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(8);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        s_listener = listener;
        s_thread = new Thread(Serve) { IsBackground = true, Name = "Asyncio inspection" };
        s_thread.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteSocketFile(path);
    }

    private static void DeleteSocketFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void Serve()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = s_listener!.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    Answer(client);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    // The client went away: nothing to answer.
                }
            }
        }
    }

    private static void Answer(Socket client)
    {
        if (!IsSameUser(client))
        {
            client.Send("error: only the user running this process may inspect it\n"u8);
            return;
        }

        string request = ReadLine(client);
        if (request != "ps")
        {
            client.Send(Encoding.UTF8.GetBytes($"error: unknown request '{request}'; the only request is 'ps'\n"));
            return;
        }

        byte[] reply = JsonSerializer.SerializeToUtf8Bytes(TakeSnapshot(), InspectionJson.Options);
        client.Send(reply);
        client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The peer's user id (SO_PEERCRED's <c>struct ucred { pid; uid; gid; }</c>) must be ours.</summary>
    private static bool IsSameUser(Socket client)
    {
        Span<byte> ucred = stackalloc byte[12];
        const int SolSocket = 1, SoPeercred = 17;
        int length = client.GetRawSocketOption(SolSocket, SoPeercred, ucred);
        if (length < 12)
        {
            return false;
        }

        uint uid = BitConverter.ToUInt32(ucred[4..8]);
        return uid == LinuxInterop.geteuid();
    }

    private static string ReadLine(Socket client)
    {
        var buffer = new byte[256];
        int total = 0;
        client.ReceiveTimeout = 5000;
        while (total < buffer.Length)
        {
            int n = client.Receive(buffer, total, buffer.Length - total, SocketFlags.None);
            if (n == 0)
            {
                break;
            }

            total += n;
            int newline = Array.IndexOf(buffer, (byte)'\n', 0, total);
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline).Trim();
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, total).Trim();
    }

    /// <summary>Every registered loop snapshots itself on its thread; one that does not answer in time is read from outside.</summary>
    internal static ProcessSnapshot TakeSnapshot()
    {
        (int Index, EventLoop Loop)[] loops;
        lock (s_gate)
        {
            loops = s_loops.ToArray();
        }

        var result = new List<LoopSnapshot>(loops.Length);
        foreach ((int index, EventLoop loop) in loops)
        {
            if (OnLoop(index, loop) is { } snapshot)
            {
                result.Add(snapshot);
                continue;
            }

            if (loop.IsClosed)
            {
                continue;
            }

            bool idle = loop.OwnerThreadId == 0;
            result.Add(SnapshotBuilder.Build(loop, index, onLoop: idle, running: idle ? null : loop.DescribeRunningStep()));
        }

        return new ProcessSnapshot(Environment.ProcessId, result);
    }

    private static LoopSnapshot? OnLoop(int index, EventLoop loop)
    {
        if (loop.OwnerThreadId == 0)
        {
            return null;   // not running: nothing would take the posted snapshot
        }

        LoopSnapshot? snapshot = null;
        using var done = new ManualResetEventSlim();
        bool posted = loop.TryPost(_ =>
        {
            try
            {
                snapshot = SnapshotBuilder.Build(loop, index, onLoop: true, running: null);
            }
            finally
            {
                done.Set();
            }
        }, null);
        return posted && done.Wait(LoopAnswerTimeout) ? snapshot : null;
    }
}

/// <summary>The JSON form of the inspection protocol, shared by the server and <see cref="ProcessInspector"/>.</summary>
internal static class InspectionJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
