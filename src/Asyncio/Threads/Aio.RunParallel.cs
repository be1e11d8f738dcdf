using System.Runtime.InteropServices;

namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Runs <paramref name="loops"/> event loops on as many threads, each running <paramref name="main"/>(its index)
    /// as its main task (one loop per core). Servers started with <c>reusePort: true</c> on the same port let the kernel
    /// spread connections over the loops. Work crosses loops only through <see cref="EventLoop.CallSoonThreadSafe(Action)"/>
    /// and <see cref="RunCoroutineThreadSafe{T}(Coroutine{T}, EventLoop, CancellationToken)"/>; awaiting another loop's
    /// task is refused. Ctrl-C cancels every main task; a second Ctrl-C ends the process.
    /// </summary>
    /// <param name="loops">How many loops (threads).</param>
    /// <param name="main">The main coroutine of loop i.</param>
    /// <param name="optionsFor">The options of loop i (each needs its own <see cref="VirtualClock"/>, if any).</param>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="loops"/> is less than 1.</exception>
    /// <exception cref="AggregateException">Main tasks failed; the failures, by loop.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C ended the main tasks.</exception>
    public static void RunParallel(int loops, Func<int, Coroutine> main, Func<int, LoopOptions>? optionsFor = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        CheckNoRunningLoop();
        var runners = new Runner[loops];
        for (int i = 0; i < loops; i++)
        {
            runners[i] = new Runner(optionsFor?.Invoke(i), handleSigint: false);
        }

        var errors = new Exception?[loops];
        var threads = new Thread[loops];
        for (int i = 0; i < loops; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    using Runner runner = runners[index];
                    runner.Run(() => main(index));
                }
                catch (Exception e)
                {
                    errors[index] = e;
                }
            })
            {
                Name = $"aio-loop-{i}",
                IsBackground = true,
            };
        }

        int interrupts = 0;
        using PosixSignalRegistration? sigint = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            if (Interlocked.Increment(ref interrupts) > 1)
            {
                return;   // the second Ctrl-C: default action, exit code 130
            }

            ctx.Cancel = true;
            foreach (Runner r in runners)
            {
                r.Interrupt();
            }
        });

        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Exception[] failed = errors.Where(e => e is not null).ToArray()!;
        if (failed.Length == 0)
        {
            return;
        }

        if (interrupts > 0 && failed.All(e => e is KeyboardInterruptException or CancelledError))
        {
            throw new KeyboardInterruptException(failed[0]);
        }

        throw new AggregateException($"{failed.Length} of {loops} loops ended with an error.", failed);
    }
}
