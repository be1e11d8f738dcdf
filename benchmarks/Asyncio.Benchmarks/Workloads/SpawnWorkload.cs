using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// spawn: N tasks that each sleep 1 s (real clock), then all awaited. Reports GC-heap bytes per task and RSS per task,
/// both read while every task sleeps, and the wall time beyond the sleep. Our loop runs it twice: with
/// <c>async Coroutine</c> tasks (<c>spawn_coroutine</c>) and with plain <c>async Task</c> functions given to
/// <c>Aio.CreateTask(Func&lt;Task&gt;)</c> (<c>spawn_task</c>). Peers: N <c>async Task</c> methods awaiting
/// <c>Task.Delay</c>, then <c>Task.WhenAll</c>, on the thread pool and inside <c>AsyncContext.Run</c>.
/// </summary>
internal sealed class SpawnWorkload : IWorkload
{
    /// <summary>How long each task sleeps. A static field rather than a parameter, so it adds nothing to the coroutine's frame.</summary>
    private static double s_sleepSeconds = 1;

    public string Name => "spawn";

    /// <summary>A full-size run takes seconds and gigabytes; the small warm-ups exercise the same code.</summary>
    public bool FullSizeFirstWarmUp => false;

    public string Summary => "N tasks (--tasks, default 1,000,000) each sleeping 1 s, then all awaited: bytes/task (GC heap, RSS), seconds beyond the sleep.";

    public IReadOnlyList<Metric> Metrics => [Metric.BytesPerTask, Metric.RssBytesPerTask, Metric.Seconds];

    public IReadOnlyList<Target> Targets =>
    [
        Target.For("spawn_coroutine", Metric.BytesPerTask, 160, "≤ 160 B"),
        Target.For("spawn_coroutine", Metric.Seconds, 0.5, "≤ 0.5 s"),
    ];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new("spawn_coroutine", Runtime.Asyncio, null, warm => SpawnMeter.TwoPasses(mem => RunCoroutines(o.Tasks(warm), o.SleepSeconds(warm), mem))),
        new("spawn_task", Runtime.Asyncio, null, warm => SpawnMeter.TwoPasses(mem => RunTasks(o.Tasks(warm), o.SleepSeconds(warm), mem))),
        new(Name, Runtime.ThreadPool, null, warm => SpawnMeter.TwoPasses(mem => ThreadPoolPeer.Spawn(o.Tasks(warm), o.SleepSeconds(warm), mem))),
        new(Name, Runtime.AsyncContext, null, warm => SpawnMeter.TwoPasses(mem => AsyncContextPeer.Spawn(o.Tasks(warm), o.SleepSeconds(warm), mem))),
    ];

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"spawn: {Format.Count(o.Tasks(false))} tasks sleeping {o.SleepSeconds(false):0.###} s (real clock, LoopOptions defaults); " +
                     "bytes_per_task: GC heap after a full GC while all sleep, minus a baseline taken after the task array was allocated " +
                     "(the array's 8 B/task is excluded); rss_bytes_per_task: VmRSS delta over the same span; seconds: wall time from " +
                     "the first task created to the last one awaited, minus the sleep, from a separate timing pass of the same code " +
                     "without the forced GCs (each repetition runs both passes).";
        yield return "spawn_coroutine: Aio.CreateTask(SleepOne()) with `async Coroutine SleepOne() => await Aio.Sleep(1)`; " +
                     "spawn_task: Aio.CreateTask(SleepOneTask) with `async Task SleepOneTask() => await Aio.Sleep(1)`; " +
                     "peers: `async Task` methods awaiting Task.Delay(1 s), then Task.WhenAll.";
    }

    private static async Coroutine SleepOne() => await Aio.Sleep(s_sleepSeconds);

    private static async Task SleepOneTask() => await Aio.Sleep(s_sleepSeconds);

    public static Sample RunCoroutines(int n, double sleepSeconds, bool memory)
    {
        s_sleepSeconds = sleepSeconds;
        return Aio.Run(() => MeasuredCoroutines(n, sleepSeconds, memory));
    }

    public static Sample RunTasks(int n, double sleepSeconds, bool memory)
    {
        s_sleepSeconds = sleepSeconds;
        return Aio.Run(() => MeasuredTasks(n, sleepSeconds, memory));
    }

    private static async Coroutine<Sample> MeasuredCoroutines(int n, double sleepSeconds, bool memory)
    {
        var tasks = new AioTask[n];
        var meter = SpawnMeter.Start(memory);
        for (int i = 0; i < n; i++)
        {
            tasks[i] = Aio.CreateTask(SleepOne());
        }

        await Aio.Sleep(0);   // one iteration: every task runs its first step and is now asleep
        await Aio.Sleep(0);   // and one more, so the loop has settled (it gives back the ready queue the burst grew)
        meter.Sleeping();
        foreach (AioTask t in tasks)
        {
            await t;
        }

        return meter.Done(n, sleepSeconds);
    }

    private static async Coroutine<Sample> MeasuredTasks(int n, double sleepSeconds, bool memory)
    {
        var tasks = new AioTask[n];
        var meter = SpawnMeter.Start(memory);
        for (int i = 0; i < n; i++)
        {
            tasks[i] = Aio.CreateTask(SleepOneTask);
        }

        await Aio.Sleep(0);
        await Aio.Sleep(0);
        meter.Sleeping();
        foreach (AioTask t in tasks)
        {
            await t;
        }

        return meter.Done(n, sleepSeconds);
    }
}
