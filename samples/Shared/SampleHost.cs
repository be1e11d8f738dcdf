using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace Asyncio.Samples.Net;

/// <summary>What the network samples share: argument parsing, Ctrl-C, and running one loop per thread.</summary>
internal static class SampleHost
{
    /// <summary>
    /// Parses <c>--name value</c> pairs (and bare <c>--flag</c>s, given "true"); unknown names are an error so a typo
    /// does not silently run with a default.
    /// </summary>
    public static Dictionary<string, string> ParseArgs(string[] args, params string[] known)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || !known.Contains(a[2..]))
            {
                throw new ArgumentException($"unknown argument '{a}'; expected one of: {string.Join(", ", known.Select(k => "--" + k))}");
            }

            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            result[a[2..]] = hasValue ? args[++i] : "true";
        }

        return result;
    }

    public static int Int(this Dictionary<string, string> args, string name, int fallback) =>
        args.TryGetValue(name, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static string Str(this Dictionary<string, string> args, string name, string fallback) =>
        args.TryGetValue(name, out string? v) ? v : fallback;

    /// <summary>The port a server listens on (its first socket).</summary>
    public static int PortOf(Server server) => ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

    /// <summary>Completes on the running loop once <paramref name="token"/> is cancelled (from any thread).</summary>
    public static async Coroutine WaitCancelledAsync(CancellationToken token)
    {
        EventLoop loop = Aio.GetRunningLoop();
        Future<bool> cancelled = loop.CreateFuture<bool>();
        using (token.Register(() => loop.CallSoonThreadSafe(() => cancelled.TrySetResult(true))))
        {
            await cancelled;
        }
    }

    /// <summary>A token cancelled by SIGINT (Ctrl-C) or SIGTERM; dispose the registrations when done.</summary>
    public static (CancellationTokenSource Source, IDisposable Registrations) StopOnSignals()
    {
        var source = new CancellationTokenSource();
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            source.Cancel();
        }

        var registrations = new List<IDisposable>();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler));
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler));
        }

        return (source, new Disposer(registrations));
    }

    private sealed class Disposer(List<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (IDisposable d in items)
            {
                d.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="serve"/> on <paramref name="loops"/> threads, each with its own event loop (its own
    /// <c>Aio.Run</c>), until <paramref name="stop"/> is cancelled. <paramref name="serve"/> gets the loop index and
    /// the port to bind (the one loop 0 reported, for the others), and reports the port it bound through the callback
    /// it is given. Returns the process exit code: 0 when every loop stopped cleanly.
    /// </summary>
    public static int RunLoops(int loops, int port, Func<int, int, Action<int>, CancellationToken, Coroutine> serve,
        Action<int> listening, CancellationTokenSource stop)
    {
        if (loops < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(loops), loops, "--loops is 1 or more.");
        }

        var threads = new List<Thread>();
        var errors = new List<Exception>();
        int StartLoop(int index, int bindPort)
        {
            var bound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    Aio.Run(() => serve(index, bindPort, p => bound.TrySetResult(p), stop.Token));
                }
                catch (KeyboardInterruptException)
                {
                    // Ctrl-C reached the loop that owns SIGINT: a normal stop.
                }
                catch (Exception e)
                {
                    lock (errors)
                    {
                        errors.Add(e);
                    }

                    bound.TrySetException(e);
                    stop.Cancel();
                }
                finally
                {
                    bound.TrySetCanceled();
                    stop.Cancel();   // one loop ending ends them all
                }
            })
            { Name = $"loop-{index}", IsBackground = false };
            threads.Add(thread);
            thread.Start();
            try
            {
                return bound.Task.GetAwaiter().GetResult();
            }
            catch (Exception) when (errors.Count > 0)
            {
                return -1;
            }
        }

        int actual = StartLoop(0, port);
        for (int i = 1; i < loops && actual > 0 && !stop.IsCancellationRequested; i++)
        {
            StartLoop(i, actual);
        }

        if (actual > 0 && errors.Count == 0)
        {
            listening(actual);
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        foreach (Exception e in errors)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
        }

        return errors.Count == 0 ? 0 : 1;
    }
}
