using Microsoft.Extensions.Logging;

namespace Asyncio.Testing;

/// <summary>Settings of a test loop made by <see cref="AioTest"/>.</summary>
public sealed class AioTestOptions
{
    /// <summary>
    /// Seed of a seeded schedule (<see cref="Scheduling.Seeded"/>): the steps of different tasks ready in the same
    /// iteration run in an order shuffled by it. Null (the default): strict FIFO, whatever <c>ASYNCIO_SEED</c> says,
    /// so a test sees the same order on every machine. Set it to replay a seed <see cref="AioTest.RunWithSeeds(IEnumerable{int}, Func{Coroutine}, AioTestOptions?)"/> reported.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>
    /// The virtual clock to run on; a new <see cref="VirtualClock"/> (time 0) when null. Give your own to move it by
    /// hand (<see cref="VirtualClock.Advance"/>) or to read it after the run. One clock serves one loop at a time.
    /// </summary>
    public VirtualClock? Clock { get; init; }

    /// <summary>
    /// Fail the test if the loop reported any error to its exception handler (a task exception never retrieved, a
    /// callback that threw, a coroutine never awaited in debug mode, a task that failed while being cancelled at exit,
    /// a transport or protocol error, ...): the run then throws an <see cref="UnhandledLoopErrorsException"/> listing
    /// every report. Default true. A superset of <see cref="LoopOptions.StrictExceptions"/>, which counts lost errors only.
    /// When false the reports go to the default handler (<see cref="Logger"/>, or standard error).
    /// </summary>
    public bool StrictExceptions { get; init; } = true;

    /// <summary>asyncio's debug mode for the test loop. Default true, as asyncio's <c>IsolatedAsyncioTestCase</c>.</summary>
    public bool Debug { get; init; } = true;

    /// <summary>Run each new task's first step inside <c>CreateTask</c> (asyncio's <c>eager_task_factory</c>). Default false.</summary>
    public bool EagerTasks { get; init; }

    /// <summary>Where the loop's default exception handler writes when <see cref="StrictExceptions"/> is false.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>How long, in real time, the run waits at exit for <c>ToThread</c> work still running. Default 30 s.</summary>
    public TimeSpan ExecutorShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy of these options with another seed.</summary>
    internal AioTestOptions WithSeed(int seed) => new()
    {
        Seed = seed,
        Clock = Clock,
        StrictExceptions = StrictExceptions,
        Debug = Debug,
        EagerTasks = EagerTasks,
        Logger = Logger,
        ExecutorShutdownTimeout = ExecutorShutdownTimeout,
    };

    internal LoopOptions ToLoopOptions() => new()
    {
        Clock = Clock ?? new VirtualClock(),
        Seed = Seed,
        Scheduling = Seed is null ? Scheduling.Fifo : Scheduling.Seeded,
        Debug = Debug,
        EagerTasks = EagerTasks,
        Logger = Logger,
        ExecutorShutdownTimeout = ExecutorShutdownTimeout,
    };
}
