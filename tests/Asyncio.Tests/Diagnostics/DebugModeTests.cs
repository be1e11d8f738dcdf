using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Diagnostics;

/// <summary>
/// Debug mode (CPython: <c>test_base_events.py</c> <c>test__run_once_logging</c>, <c>test_tasks.py</c>
/// <c>test_task_source_traceback</c>, <c>test_coroutines</c> "was never awaited"), lost errors and
/// <see cref="LoopOptions.StrictExceptions"/>. Slowness is simulated by advancing the virtual clock inside a step.
/// </summary>
public sealed class DebugModeTests
{
    private static int Line([CallerLineNumber] int line = 0) => line;

    private static LoopOptions DebugOptions(CapturingLogger log, bool debug = true, bool strict = false) =>
        new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, Logger = log, Debug = debug, StrictExceptions = strict };

    private static async Coroutine Slow(VirtualClock clock, List<int> lines)
    {
        lines.Add(Line()); await Aio.Sleep(0);
        clock.Advance(TimeSpan.FromMilliseconds(250));   // 250 ms of "work" inside one step
        lines.Add(Line()); await Aio.Sleep(1);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test__run_once_logging (the warning names the handle and the time)
    [Fact]
    public void SlowStep_InDebugMode_IsReportedWithTaskCoroutineAndTheLinesItRanBetween()
    {
        var log = new CapturingLogger();
        var options = DebugOptions(log);
        var clock = (VirtualClock)options.Clock!;
        var lines = new List<int>();
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Slow(clock, lines), name: "slowpoke");
            await t;
        }, options);

        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        string file = Path.GetFileName(CallerFile());
        Assert.Matches(
            $"^Executing <AioTask pending name='slowpoke' coro=DebugModeTests.Slow> took 0.250 seconds; " +
            $"the step started at DebugModeTests.Slow at .*{file}:{lines[0]} and is now suspended at DebugModeTests.Slow at .*{file}:{lines[1]}$",
            warning.Message);
    }

    private static string CallerFile([CallerFilePath] string path = "") => path;

    [Fact]
    public void SlowStep_DebugModeOff_IsNotReported()
    {
        var log = new CapturingLogger();
        var options = DebugOptions(log, debug: false);
        var clock = (VirtualClock)options.Clock!;
        Aio.Run(() => Slow(clock, new List<int>()), options);
        Assert.Empty(log.Entries);
    }

    [Fact]
    public void FastStep_InDebugMode_IsNotReported()
    {
        var log = new CapturingLogger();
        var options = DebugOptions(log);
        var clock = (VirtualClock)options.Clock!;
        Aio.Run(async () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(99));   // under the 100 ms default
            await Aio.Sleep(1);
        }, options);
        Assert.Empty(log.Entries);
    }

    private static void SlowCallback(object? clock) => ((VirtualClock)clock!).Advance(TimeSpan.FromMilliseconds(300));

    [Fact]
    public void SlowPlainCallback_IsReportedAsAHandle_AndTheThresholdCanBeChanged()
    {
        var log = new CapturingLogger();
        var options = DebugOptions(log);
        using var loop = new EventLoop(options);
        loop.SlowCallbackDuration = TimeSpan.FromMilliseconds(500);
        loop.CallSoon(SlowCallback, options.Clock);
        RunBriefly(loop);
        Assert.Empty(log.Entries);   // 300 ms < 500 ms

        loop.SlowCallbackDuration = TimeSpan.FromMilliseconds(200);
        loop.CallSoon(SlowCallback, options.Clock);
        RunBriefly(loop);
        var warning = Assert.Single(log.Entries);
        Assert.Equal("Executing <Handle DebugModeTests.SlowCallback()> took 0.300 seconds", warning.Message);
    }

    [Fact]
    public void SlowCallbackDuration_Negative_IsRefusedWithItsName()
    {
        using var loop = NewLoop();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loop.SlowCallbackDuration = TimeSpan.FromMilliseconds(-1));
        Assert.Equal("SlowCallbackDuration", e.ParamName);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new EventLoop(new LoopOptions { SlowCallbackDuration = TimeSpan.FromSeconds(-1) }));
        Assert.Equal("SlowCallbackDuration", e2.ParamName);
    }

    [Fact]
    public void DebugMode_FromEnvironmentlessOptions_IsOff_AndSetterTurnsItOn()
    {
        using var loop = new EventLoop(new LoopOptions { Debug = false });
        Assert.False(loop.Debug);
        loop.Debug = true;
        Assert.True(loop.Debug);
        Assert.Contains("debug=True", loop.ToString());
    }

    private static async Coroutine Fail() => throw new InvalidOperationException("boom");

    // CPython: test_tasks.py test_task_source_traceback + test_exception_never_retrieved-style reports
    [Fact]
    public void NeverRetrievedTaskException_InDebugMode_SaysWhereTheTaskWasCreated()
    {
        var log = new CapturingLogger();
        Aio.Run(async () =>
        {
            _ = Aio.CreateTask(Fail(), name: "doomed");
            await Aio.Sleep(1);
        }, DebugOptions(log));

        var error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.StartsWith("Task exception was never retrieved", error.Message);
        Assert.Contains("source_traceback: Task created at:", error.Message);
        Assert.Contains("at DebugModeTests.NeverRetrievedTaskException_InDebugMode_SaysWhereTheTaskWasCreated.<lambda>()", error.Message);
        Assert.Matches(@"in .*DebugModeTests\.cs:line \d+", error.Message);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    [Fact]
    public void NeverRetrievedTaskException_WithoutDebugMode_HasNoCreationStack()
    {
        var log = new CapturingLogger();
        Aio.Run(async () =>
        {
            _ = Aio.CreateTask(Fail(), name: "doomed");
            await Aio.Sleep(1);
        }, DebugOptions(log, debug: false));

        var error = Assert.Single(log.Entries);
        Assert.StartsWith("Task exception was never retrieved", error.Message);
        Assert.DoesNotContain("source_traceback", error.Message);
    }

    private static async Coroutine<int> Child() => 42;

    private static async Coroutine ForgetsToAwait()
    {
        _ = Child();                       // never awaited: reported
        Coroutine<int> later = Child();    // awaited below: not reported
        _ = Aio.CreateTask(Child());           // made a task: not reported
        await later;
    }

    // CPython: "RuntimeWarning: coroutine '...' was never awaited" with "Coroutine created at" in debug mode
    [Fact]
    public void CoroutineNeverAwaited_InDebugMode_IsReportedAtCloseWithWhereItWasCreated()
    {
        var log = new CapturingLogger();
        Aio.Run(ForgetsToAwait, DebugOptions(log));

        var report = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, report.Level);
        Assert.True(report.Message.StartsWith("coroutine 'DebugModeTests.Child' was never awaited\nsource_traceback: Coroutine created at:\n   at DebugModeTests.ForgetsToAwait() in ", StringComparison.Ordinal), report.Message);
    }

    [Fact]
    public void CoroutineNeverAwaited_WithoutDebugMode_IsNotTracked()
    {
        var log = new CapturingLogger();
        Aio.Run(ForgetsToAwait, DebugOptions(log, debug: false));
        Assert.Empty(log.Entries);
    }

    private static async Coroutine Forever() => await Aio.Sleep(double.PositiveInfinity);

    // CPython: "Task was destroyed but it is pending!" (base_tasks / _task_repr); here at Close, deterministically
    [Fact]
    public void TaskStillPendingWhenTheLoopCloses_IsReportedAsDestroyedButPending()
    {
        var log = new CapturingLogger();
        var loop = new EventLoop(DebugOptions(log));
        AioTask task = loop.CreateTask(Forever(), name: "orphan");
        RunBriefly(loop);
        loop.Close();

        var report = Assert.Single(log.Entries);
        Assert.StartsWith("Task was destroyed but it is pending!\nsource_traceback: Task created at:\n   at DebugModeTests.TaskStillPendingWhenTheLoopCloses_IsReportedAsDestroyedButPending()", report.Message);
        Assert.Contains("task: <AioTask pending name='orphan'", report.Message);
        Assert.False(task.IsDone);
    }

    [Fact]
    public void StrictExceptions_LostTaskException_FailsTheRunAfterClosing()
    {
        var log = new CapturingLogger();
        var options = DebugOptions(log, debug: false, strict: true);
        var e = Assert.Throws<LostErrorsException>(() => Aio.Run(async () =>
        {
            _ = Aio.CreateTask(Fail(), name: "doomed");
            await Aio.Sleep(1);
        }, options));

        var report = Assert.Single(e.Reports);
        Assert.Equal("Task exception was never retrieved", report.Message);
        Assert.IsType<InvalidOperationException>(Assert.Single(e.InnerExceptions));
        Assert.Contains("1 error(s) were lost", e.Message);
        Assert.Single(log.Entries);   // still reported through the handler as well
    }

    [Fact]
    public void StrictExceptions_CleanRun_ReturnsNormally()
    {
        var options = DebugOptions(new CapturingLogger(), strict: true);
        Assert.Equal(42, Aio.Run(Child, options));
    }

    [Fact]
    public void StrictExceptions_MainFails_TheMainErrorWins()
    {
        var options = DebugOptions(new CapturingLogger(), debug: false, strict: true);
        Assert.Throws<InvalidOperationException>(() => Aio.Run(async () =>
        {
            _ = Aio.CreateTask(Fail());
            await Aio.Sleep(1);
            throw new InvalidOperationException("main failed");
        }, options));
    }

    [Fact]
    public void StrictExceptions_NeverAwaitedCoroutine_InDebugMode_FailsTheRun()
    {
        var options = DebugOptions(new CapturingLogger(), strict: true);
        var e = Assert.Throws<LostErrorsException>(() => Aio.Run(ForgetsToAwait, options));
        var inner = Assert.IsType<InvalidOperationException>(Assert.Single(e.InnerExceptions));
        Assert.StartsWith("coroutine 'DebugModeTests.Child' was never awaited", inner.Message);
    }
}
