using System.Diagnostics;
using Asyncio.Cli.Infrastructure;
using Asyncio.Cli.Probes;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// One echo run: <paramref name="Connections"/> loopback connections, each with one <paramref name="RequestBytes"/>
/// request in flight, against a server child in <paramref name="Mode"/> ("threads": a thread per connection;
/// "loop": one Asyncio.NET loop). Server RSS and CPU come from <c>/proc/PID</c> of the server process.
/// </summary>
internal sealed record IoPoint(
    string Mode,
    int Connections,
    int RequestBytes,
    long Requests,
    double Seconds,
    double RequestsPerSecond,
    long ServerRssIdleBytes,
    long ServerRssBytes,
    double ServerRssBytesPerConnection,
    int ServerOsThreads,
    double ServerCpuMicrosecondsPerRequest,
    long Errors);

internal static class IoBound
{
    public static IReadOnlyList<IoPoint> Measure(CompareSettings s, Interrupts interrupts, Action<string> progress)
    {
        var points = new List<IoPoint>();
        foreach (int n in s.Connections)
        {
            foreach (string mode in new[] { "threads", "loop" })
            {
                progress($"echo, {n} connections, server: {(mode == "threads" ? "a thread per connection" : "one loop")}");
                points.Add(RunOne(mode, n, s, interrupts));
            }
        }

        return points;
    }

    private static IoPoint RunOne(string mode, int connections, CompareSettings s, Interrupts interrupts)
    {
        ProcessStartInfo info = SelfProcess.StartInfo(["__probe", "echo-server", "--mode", mode, "--size", s.RequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Process server = interrupts.Start(info);
        try
        {
            server.BeginErrorReadLine();
            string? first = server.StandardOutput.ReadLine();
            ProbeLine start = (first is not null ? Json.Parse<ProbeLine>(first) : null)
                ?? throw new InvalidOperationException($"The {mode} echo server (a child process) did not start.");
            int pid = server.Id;
            return Aio.Run(() => Clients(mode, start.Port, pid, connections, s, interrupts.Token), MeasureLoop.Options);
        }
        finally
        {
            interrupts.Stop(server);
        }
    }

    private static async Coroutine<IoPoint> Clients(string mode, int port, int pid, int n, CompareSettings s, CancellationToken cancel)
    {
        // Let the server finish starting (JIT, first accept) before its idle RSS is read.
        await Aio.Sleep(0.05);
        long idleRss = ProcInfo.Memory(pid).RssBytes;
        var connections = new (AioStreamReader Reader, AioStreamWriter Writer)[n];
        // Connect in batches: a burst of SYNs past the listen backlog would stall for a 1 s retransmit.
        for (int i = 0; i < n; i += 100)
        {
            var batch = new AioTask<(AioStreamReader, AioStreamWriter)>[Math.Min(100, n - i)];
            for (int j = 0; j < batch.Length; j++)
            {
                batch[j] = Aio.CreateTask(Aio.OpenConnection("127.0.0.1", port));
            }

            // Await every connect of the batch (a refused one must not leave the others' errors unretrieved).
            Exception? error = null;
            for (int j = 0; j < batch.Length; j++)
            {
                try
                {
                    connections[i + j] = await batch[j];
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                    error ??= e;
                }
            }

            if (error is not null)
            {
                foreach (var (_, writer) in connections)
                {
                    writer?.Close();
                }

                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
        }

        var state = new State();
        var clients = new AioTask[n];
        for (int i = 0; i < n; i++)
        {
            clients[i] = Aio.CreateTask(Client(connections[i].Reader, connections[i].Writer, s.RequestBytes, i, state));
        }

        try
        {
            await Aio.Sleep(s.IoWarmupSeconds);
            cancel.ThrowIfCancellationRequested();
            long r0 = state.Requests;
            double cpu0 = ProcInfo.CpuSeconds(pid);
            var clock = Stopwatch.StartNew();
            await Aio.Sleep(s.IoWindowSeconds);
            long r1 = state.Requests;
            double seconds = clock.Elapsed.TotalSeconds;
            double cpu1 = ProcInfo.CpuSeconds(pid);
            MemorySnapshot m = ProcInfo.Memory(pid);
            long requests = r1 - r0;
            return new IoPoint(
                mode,
                n,
                s.RequestBytes,
                requests,
                seconds,
                requests / seconds,
                idleRss,
                m.RssBytes,
                (double)(m.RssBytes - idleRss) / n,
                m.Threads,
                requests == 0 ? double.NaN : (cpu1 - cpu0) * 1e6 / requests,
                state.Errors);
        }
        finally
        {
            state.Stop = true;
            foreach (AioTask c in clients)
            {
                try
                {
                    await c;
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                }
            }

            foreach (var (_, writer) in connections)
            {
                writer?.Close();
            }
        }
    }

    private sealed class State
    {
        public long Requests;
        public long Errors;
        public bool Stop;
    }

    private static async Coroutine Client(AioStreamReader reader, AioStreamWriter writer, int size, int id, State state)
    {
        var request = new byte[size];
        var response = new byte[size];
        request.AsSpan().Fill((byte)id);
        for (long k = 0; !state.Stop; k++)
        {
            request[0] = (byte)k;
            writer.Write(request);
            await writer.DrainAsync();
            await reader.ReadExactlyAsync(response);
            if (response[0] != (byte)k || response[size - 1] != (byte)id)
            {
                state.Errors++;
            }

            state.Requests++;
        }
    }
}
