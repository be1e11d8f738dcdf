namespace Asyncio.Tests.Tasks;

/// <summary>
/// A task's <see cref="AioTask.CancellationToken"/> and <see cref="Aio.WrapFuture{T}(Task{T})"/>: the two ways a
/// cancel reaches foreign (.NET) awaits, which C# cannot interrupt (DESIGN.md decision 4). No CPython counterpart
/// except wrap_future; the expected behaviour is the one documented on these members.
/// </summary>
public class CancellationTokenTests
{
    private static async Coroutine Sleep(double seconds) => await Aio.Sleep(seconds);

    // ------------------------------------------------------------------ the token

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_OfAPendingTask_CanBeCanceledAndIsNotYet()
    {
        Aio.Run(async () =>
        {
            CancellationToken token = Aio.CurrentTask!.CancellationToken;
            Assert.True(token.CanBeCanceled);
            Assert.False(token.IsCancellationRequested);
            Assert.Equal(token, Aio.CurrentTask.CancellationToken);   // stable while not cancelled
            await Aio.Sleep(1);
            Assert.False(token.IsCancellationRequested);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_Cancel_FiresTheTokenBeforeCancelReturns()
    {
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(10));
            CancellationToken token = t.CancellationToken;
            var log = new List<string>();
            using var registration = token.Register(() => log.Add("fired"));

            Assert.True(t.Cancel());
            Assert.True(token.IsCancellationRequested);
            Assert.Equal(new[] { "fired" }, log);
            await Loops.WaitDone(t);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_ReadAfterACancelWasRequested_IsAlreadyCancelled()
    {
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(10));
            t.Cancel();
            Assert.True(t.CancellationToken.IsCancellationRequested);
            await Loops.WaitDone(t);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_OfATaskThatEndedCancelled_IsCancelled()
    {
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(10));
            t.Cancel();
            await Loops.WaitDone(t);
            Assert.True(t.IsCancelled);
            Assert.True(t.CancellationToken.IsCancellationRequested, "the token of a cancelled task reads as not cancelled");
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_OfATaskThatSucceeded_IsNotCancelled()
    {
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(1));
            CancellationToken before = t.CancellationToken;
            await t;
            Assert.False(before.IsCancellationRequested);
            Assert.False(t.CancellationToken.IsCancellationRequested);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_PassedToAForeignAwait_CancelInterruptsItAndTheTaskEndsCancelled()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            bool reachedEnd = false;
            async Coroutine Body()
            {
                await Task.Delay(Timeout.Infinite, Aio.CurrentTask!.CancellationToken);   // real-time: never elapses (a foreign await the token ends)
                reachedEnd = true;
            }

            AioTask t = Aio.CreateTask(Body());
            await Aio.Sleep(0);   // t now awaits Task.Delay
            Assert.True(t.Cancel("stop waiting"));
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("stop waiting", e.CancelMessage);
            Assert.True(t.IsCancelled);
            Assert.False(reachedEnd);
        }, Loops.Virtual()));
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_PlainDotNetTask_CancelEndsItCancelled()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            AioTask? t = null;
            t = Aio.CreateTask(async () =>
            {
                await Task.Delay(Timeout.Infinite, Aio.CurrentTask!.CancellationToken);   // real-time: never elapses, the token ends it
            });
            await Aio.Sleep(0);
            Assert.False(t.IsDone);
            t.Cancel("plain");
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("plain", e.CancelMessage);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual()));
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void OperationCanceledException_CarryingTheTasksOwnToken_EndsTheTaskCancelled()
    {
        Aio.Run(async () =>
        {
            async Coroutine Body()
            {
                CancellationToken token = Aio.CurrentTask!.CancellationToken;
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    // Code that reports the cancellation the .NET way, through the token.
                    token.ThrowIfCancellationRequested();
                }
            }

            AioTask t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel("via token");
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("via token", e.CancelMessage);
            Assert.True(t.IsCancelled);
            Assert.False(t.IsFaulted);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void OperationCanceledException_WithoutAToken_FailsTheTask()
    {
        Aio.Run(async () =>
        {
            var oce = new OperationCanceledException();
            async Coroutine Body()
            {
                await Aio.Sleep(0);
                throw oce;
            }

            AioTask t = Aio.CreateTask(Body());
            await Loops.WaitDone(t);
            Assert.True(t.IsFaulted);
            Assert.False(t.IsCancelled);
            Assert.Same(oce, t.Exception);
            Assert.Same(oce, await Loops.ThrowsAsync<OperationCanceledException>(t));
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void OperationCanceledException_FromAForeignTokenSource_FailsTheTask()
    {
        Aio.Run(async () =>
        {
            using var foreign = new CancellationTokenSource();
            foreign.Cancel();
            async Coroutine Body()
            {
                await Aio.Sleep(0);
                foreign.Token.ThrowIfCancellationRequested();
            }

            AioTask t = Aio.CreateTask(Body());
            await Loops.WaitDone(t);
            Assert.True(t.IsFaulted);
            Assert.False(t.IsCancelled);
            var e = Assert.IsType<OperationCanceledException>(t.Exception);
            Assert.Equal(foreign.Token, e.CancellationToken);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void OperationCanceledException_CarryingAnotherTasksToken_FailsTheTask()
    {
        Aio.Run(async () =>
        {
            AioTask other = Aio.CreateTask(Sleep(10));
            CancellationToken othersToken = other.CancellationToken;
            other.Cancel();
            async Coroutine Body()
            {
                await Aio.Sleep(0);
                othersToken.ThrowIfCancellationRequested();
            }

            AioTask t = Aio.CreateTask(Body());
            await Loops.WaitDone(t);
            await Loops.WaitDone(other);
            Assert.True(t.IsFaulted);
            Assert.False(t.IsCancelled);
            Assert.True(other.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_UncancelBringsTheCountToZero_AFreshTokenIsIssued()
    {
        Aio.Run(async () =>
        {
            CancellationToken first = default, second = default;
            async Coroutine<string> Body()
            {
                first = Aio.CurrentTask!.CancellationToken;
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    Assert.Equal(0, Aio.CurrentTask.Uncancel());
                }

                second = Aio.CurrentTask.CancellationToken;
                // Work after a handled cancellation is not cancelled at once.
                await Task.Delay(TimeSpan.FromSeconds(2), Aio.GetRunningLoop().Clock, second);
                return "went on";
            }

            AioTask<string> t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel();
            Assert.Equal("went on", await t);
            Assert.True(first.IsCancellationRequested);
            Assert.False(second.IsCancellationRequested);
            Assert.NotEqual(first, second);
            Assert.Equal(3.0, Aio.GetRunningLoop().Time());
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_UncancelLeavesRequestsPending_KeepsTheCancelledToken()
    {
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(10));
            CancellationToken token = t.CancellationToken;
            t.Cancel();
            t.Cancel();
            Assert.Equal(1, t.Uncancel());
            Assert.Equal(token, t.CancellationToken);
            Assert.True(t.CancellationToken.IsCancellationRequested);
            await Loops.WaitDone(t);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancelledError_AtALoopNativeAwait_CarriesTheTasksToken()
    {
        Aio.Run(async () =>
        {
            CancellationToken token = default;
            OperationCanceledException? caught = null;
            async Coroutine Body()
            {
                token = Aio.CurrentTask!.CancellationToken;
                try
                {
                    await Aio.Sleep(10);
                }
                catch (OperationCanceledException e) when (e.CancellationToken == token)
                {
                    caught = e;   // the usual .NET filter recognises the task's own cancellation
                    throw;
                }
            }

            AioTask t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel();
            await Loops.WaitDone(t);
            Assert.IsType<CancelledError>(caught);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void CancellationToken_ARegistrationThrows_ReportedToTheExceptionHandlerAndTheCancelStillWorks()
    {
        var reports = new List<LoopExceptionContext>();
        Aio.Run(async () =>
        {
            Aio.GetRunningLoop().SetExceptionHandler((_, ctx) => reports.Add(ctx));
            AioTask t = Aio.CreateTask(Sleep(10), "victim");
            using var registration = t.CancellationToken.Register(() => throw new FormatException("bad callback"));
            Assert.True(t.Cancel());
            await Loops.WaitDone(t);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual());
        var report = Assert.Single(reports);
        Assert.Contains("CancellationToken", report.Message);
        Assert.Contains("victim", report.Message);
        Assert.Contains(report.Exception is AggregateException agg ? agg.InnerExceptions : [report.Exception!],
            e => e is FormatException { Message: "bad callback" });
    }

    // ------------------------------------------------------------------ WrapFuture (asyncio's wrap_future)

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public async Task WrapFuture_CancelTheAwaitingTask_ReleasesItAtOnceAndTheForeignWorkKeepsRunning()
    {
        var gate = new ManualResetEventSlim();
        Task<int> foreign = Task.Run(() => gate.Wait(TimeSpan.FromSeconds(30)) ? 5 : -1);
        var reports = new List<LoopExceptionContext>();
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            Aio.GetRunningLoop().SetExceptionHandler((_, ctx) => reports.Add(ctx));
            Future<int>? wrapped = null;
            async Coroutine<int> Body()
            {
                wrapped = Aio.WrapFuture(foreign);
                return await wrapped;
            }

            AioTask<int> t = Aio.CreateTask(Body());
            await Aio.Sleep(0);
            Assert.False(t.IsDone);
            Assert.True(t.Cancel("give up"));
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("give up", e.CancelMessage);
            Assert.True(wrapped!.IsCancelled);
            Assert.False(foreign.IsCompleted);   // released while the foreign work still runs

            await Aio.Sleep(5);                  // virtual time is no longer held back by it
            Assert.Equal(5.0, Aio.GetRunningLoop().Time());
        }, Loops.Virtual()));

        gate.Set();
        Assert.Equal(5, await foreign.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(reports);
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void WrapFuture_ForeignTaskCompletes_TheResultComesBackOnTheLoopThread()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var gate = new ManualResetEventSlim();
            Task<int> foreign = Task.Run(() =>
            {
                gate.Wait(TimeSpan.FromSeconds(30));
                return 42;
            });
            Future<int> wrapped = Aio.WrapFuture(foreign);
            Assert.False(wrapped.IsDone);
            gate.Set();
            Assert.Equal(42, await wrapped);
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            Assert.True(wrapped.IsCompletedSuccessfully);
        }, Loops.Virtual()));
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void WrapFuture_ForeignTaskFaults_AwaitRethrowsTheSameException()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var error = new FormatException("foreign failure");
            Task<int> foreign = Task.Run(new Func<int>(() => throw error));
            Future<int> wrapped = Aio.WrapFuture(foreign);
            var e = await Loops.ThrowsAsync<FormatException>(async () => await wrapped);
            Assert.Same(error, e);
            Assert.True(wrapped.IsFaulted);
        }, Loops.Virtual()));
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void WrapFuture_ForeignTaskCanceled_FailsTheFutureWithTheOperationCanceledException()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            using var cts = new CancellationTokenSource();
            var tcs = new TaskCompletionSource<int>();
            Future<int> wrapped = Aio.WrapFuture(tcs.Task);
            tcs.SetCanceled(cts.Token);
            var e = await Loops.ThrowsAsync<TaskCanceledException>(async () => await wrapped);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.True(wrapped.IsFaulted);
            Assert.False(wrapped.IsCancelled);
        }, Loops.Virtual()));
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void WrapFuture_TaskAlreadyCompleted_TheFutureIsDoneAtOnce()
    {
        Aio.Run(async () =>
        {
            Future<string> wrapped = Aio.WrapFuture(Task.FromResult("ready"));
            Assert.True(wrapped.IsDone);
            Assert.Equal("ready", wrapped.Result);
            Assert.Equal("ready", await wrapped);

            Future<bool> plain = Aio.WrapFuture(Task.CompletedTask);
            Assert.True(plain.IsCompletedSuccessfully);
        }, Loops.Virtual());
    }

    // CPython: none; .NET-only (DESIGN.md decision 4: task CancellationToken, wrap_future for foreign awaits)
    [Fact]
    public void WrapFuture_InvalidUse_ThrowsClearErrors()
    {
        var noLoop = Assert.Throws<InvalidOperationException>(() => Aio.WrapFuture(Task.FromResult(1)));
        Assert.Contains("Aio.WrapFuture", noLoop.Message);
        Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            Assert.Throws<ArgumentNullException>(() => Aio.WrapFuture((Task<int>)null!));
            Assert.Throws<ArgumentNullException>(() => Aio.WrapFuture((Task)null!));
        }, Loops.Virtual());
    }
}
