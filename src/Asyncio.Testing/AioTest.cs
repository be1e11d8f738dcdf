using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Asyncio.Testing;

/// <summary>
/// Runs test bodies on a fresh event loop in virtual time, with any test framework:
/// <code>
/// [Fact]
/// public void Timeout_FiresAfterOneSecond() => AioTest.Run(async () =>
/// {
///     await Assert.ThrowsAsync&lt;TimeoutException&gt;(async () => await Aio.WaitFor(Aio.Sleep(10, "late"), 1));
///     AioTest.AssertNow(1);
/// });
/// </code>
/// Each run gets its own loop and <see cref="VirtualClock"/> (time starts at 0 and jumps to the next timer whenever
/// the loop is idle, so sleeps take no real time), strict FIFO scheduling unless a seed is given, debug mode, and
/// strict exceptions: an error the loop reports to its exception handler — a task exception never retrieved, a
/// callback that threw — fails the run with an <see cref="UnhandledLoopErrorsException"/>. A body that can never
/// finish fails with the core's <see cref="DeadlockException"/>, naming every pending task.
/// </summary>
public static class AioTest
{
    // ------------------------------------------------------------------ Run

    /// <summary>Runs <paramref name="body"/> as the main task of a fresh test loop and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="UnhandledLoopErrorsException">The loop reported errors (with <see cref="AioTestOptions.StrictExceptions"/>).</exception>
    /// <exception cref="DeadlockException">The body can never finish.</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    [OverloadResolutionPriority(1)]
    public static T Run<T>(Func<Coroutine<T>> body, AioTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Execute(options, runner => runner.Run(body));
    }

    /// <summary>Runs <paramref name="body"/> as the main task of a fresh test loop.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="UnhandledLoopErrorsException">The loop reported errors (with <see cref="AioTestOptions.StrictExceptions"/>).</exception>
    /// <exception cref="DeadlockException">The body can never finish.</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    [OverloadResolutionPriority(1)]
    public static void Run(Func<Coroutine> body, AioTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Execute(options, runner =>
        {
            runner.Run(body);
            return true;
        });
    }

    /// <summary>Runs a plain .NET async function as the main task of a fresh test loop and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="UnhandledLoopErrorsException">The loop reported errors (with <see cref="AioTestOptions.StrictExceptions"/>).</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    public static T Run<T>(Func<Task<T>> body, AioTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Execute(options, runner => runner.Run(body));
    }

    /// <summary>Runs a plain .NET async function as the main task of a fresh test loop.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="UnhandledLoopErrorsException">The loop reported errors (with <see cref="AioTestOptions.StrictExceptions"/>).</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    public static void Run(Func<Task> body, AioTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Execute(options, runner =>
        {
            runner.Run(body);
            return true;
        });
    }

    // ------------------------------------------------------------------ seeds

    /// <summary>
    /// Runs <paramref name="body"/> once per seed, each on a fresh test loop with that seeded schedule (the steps of
    /// tasks ready together run in a shuffled order), to expose code that depends on one interleaving. Stops at the
    /// first failure and throws a <see cref="SeededRunFailedException"/> naming the seed; replay it with
    /// <c>AioTest.Run(body, new AioTestOptions { Seed = n })</c>.
    /// </summary>
    /// <param name="seeds">The seeds to try, in order.</param>
    /// <param name="body">Called once per seed for a fresh coroutine.</param>
    /// <param name="options">Settings for every run; its <see cref="AioTestOptions.Seed"/> is replaced and its clock must be null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="seeds"/> is empty, or <paramref name="options"/> has a clock (each run needs a fresh one).</exception>
    /// <exception cref="SeededRunFailedException">The body failed under a seed.</exception>
    public static void RunWithSeeds(IEnumerable<int> seeds, Func<Coroutine> body, AioTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        RunWithSeeds(seeds, async () =>
        {
            await body();
            return true;
        }, options);
    }

    /// <summary>Runs <paramref name="body"/> once per seed in 0 .. <paramref name="count"/>-1; see <see cref="RunWithSeeds(IEnumerable{int}, Func{Coroutine}, AioTestOptions?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    /// <exception cref="SeededRunFailedException">The body failed under a seed.</exception>
    public static void RunWithSeeds(int count, Func<Coroutine> body, AioTestOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        RunWithSeeds(Enumerable.Range(0, count), body, options);
    }

    /// <summary>
    /// Runs <paramref name="body"/> once per seed and returns each run's result, in the order of
    /// <paramref name="seeds"/> (assert they agree); see <see cref="RunWithSeeds(IEnumerable{int}, Func{Coroutine}, AioTestOptions?)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="seeds"/> is empty, or <paramref name="options"/> has a clock.</exception>
    /// <exception cref="SeededRunFailedException">The body failed under a seed.</exception>
    public static IReadOnlyList<T> RunWithSeeds<T>(IEnumerable<int> seeds, Func<Coroutine<T>> body, AioTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(body);
        options ??= new AioTestOptions();
        if (options.Clock is not null)
        {
            throw new ArgumentException(
                "RunWithSeeds gives every run a fresh VirtualClock; leave AioTestOptions.Clock null.", nameof(options));
        }

        var results = new List<T>();
        var passed = new List<int>();
        foreach (int seed in seeds)
        {
            T result;
            try
            {
                result = Run(body, options.WithSeed(seed));
            }
            catch (Exception e)
            {
                throw new SeededRunFailedException(seed, passed, e);
            }

            results.Add(result);
            passed.Add(seed);
        }

        if (passed.Count == 0)
        {
            throw new ArgumentException("RunWithSeeds needs at least one seed.", nameof(seeds));
        }

        return results;
    }

    // ------------------------------------------------------------------ virtual time

    /// <summary>The running loop's time in seconds (<see cref="EventLoop.Time"/>): virtual seconds since the test began.</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static double Now => RunningLoop(nameof(Now)).Time();

    /// <summary>The running loop's <see cref="VirtualClock"/>, to advance it by hand or read <see cref="VirtualClock.Elapsed"/>.</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or it does not run in virtual time.</exception>
    public static VirtualClock Clock
    {
        get
        {
            EventLoop loop = RunningLoop(nameof(Clock));
            return loop.Clock as VirtualClock ?? throw new InvalidOperationException(
                $"AioTest.Clock: the running loop's clock is {loop.Clock.GetType().Name}, not a VirtualClock. Run the test with AioTest.Run, " +
                "or give the loop LoopOptions { Clock = new VirtualClock() }.");
        }
    }

    /// <summary>
    /// Asserts that the running loop's time is <paramref name="expectedSeconds"/> (within <paramref name="tolerance"/>
    /// seconds): in virtual time, sleeps and timeouts end exactly when they are due.
    /// </summary>
    /// <exception cref="AioAssertionException">The loop's time differs.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static void AssertNow(double expectedSeconds, double tolerance = 1e-9)
    {
        double now = Now;
        if (!(Math.Abs(now - expectedSeconds) <= tolerance))
        {
            throw new AioAssertionException(string.Create(CultureInfo.InvariantCulture,
                $"Expected the loop's time to be {expectedSeconds} s (±{tolerance}), but it is {now} s."));
        }
    }

    // ------------------------------------------------------------------ the run

    private static TResult Execute<TResult>(AioTestOptions? options, Func<Runner, TResult> run)
    {
        if (EventLoop.Current is not null)
        {
            throw new InvalidOperationException(
                "AioTest.Run cannot be called from a running event loop: it makes a loop of its own. Await the work instead.");
        }

        options ??= new AioTestOptions();
        var reports = new List<LoopExceptionContext>();
        Exception? failure = null;
        TResult result = default!;
        var runner = new Runner(options.ToLoopOptions());
        try
        {
            if (options.StrictExceptions)
            {
                runner.Loop.SetExceptionHandler((_, context) => reports.Add(context));
            }

            result = run(runner);
        }
        catch (Exception e)
        {
            failure = e;
        }

        try
        {
            runner.Close();   // cancels the tasks left over; an error one ends with is a report too
        }
        catch (Exception e) when (failure is null)
        {
            failure = e;
        }

        if (reports.Count > 0)
        {
            throw new UnhandledLoopErrorsException(reports, failure);
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return result;
    }

    private static EventLoop RunningLoop(string member) => EventLoop.Current ?? throw new InvalidOperationException(
        $"AioTest.{member} needs a running event loop on this thread: use it inside the body given to AioTest.Run.");
}
