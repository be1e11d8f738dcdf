namespace Asyncio.Tests.Sync;

/// <summary>Locks, events, conditions, semaphores and queues refuse changes from a thread other than their loop's.</summary>
public sealed class PrimitiveThreadCheckTests
{
    private static async Coroutine<string> FromWorker(Action change)
    {
        try
        {
            await Aio.ToThread(change);
            return "no error";
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    public static TheoryData<string> Members => new()
    {
        "AsyncEvent.Set", "AsyncEvent.Clear", "AsyncLock.Release", "AsyncSemaphore.Release",
        "AsyncCondition.Notify", "AsyncCondition.NotifyAll", "AsyncQueue.TryPut", "AsyncQueue.TryGet",
        "AsyncQueue.TaskDone", "AsyncQueue.Shutdown",
    };

    [Theory]
    [MemberData(nameof(Members))]
    public void ChangeFromAWorkerThread_OfAPrimitiveBoundToARunningLoop_IsRefused(string member)
    {
        string message = Aio.Run(async () =>
        {
            var ev = new AsyncEvent();
            var lk = new AsyncLock();
            var sem = new AsyncSemaphore(0);
            var cond = new AsyncCondition();
            var queue = new AsyncQueue<int>(1);

            // Bind each primitive to this loop by waiting on it once.
            AioTask waiters = Aio.CreateTask(async () =>
            {
                await Aio.Gather(Aio.CreateTask(ev.WaitAsync().AsCoroutine()), Aio.CreateTask(sem.AcquireAsync().AsCoroutine()));
            });
            await using (await lk.AcquireAsync())
            {
                await Aio.Sleep(0);
            }

            AioTask condWaiter = Aio.CreateTask(async () =>
            {
                await using (await cond.AcquireAsync())
                {
                    await cond.WaitAsync();
                }
            });
            await Aio.Sleep(0);

            await queue.PutAsync(1);
            await queue.GetAsync();
            queue.TaskDone();
            await queue.PutAsync(2);
            await Aio.Sleep(0);

            Action change = member switch
            {
                "AsyncEvent.Set" => ev.Set,
                "AsyncEvent.Clear" => ev.Clear,
                "AsyncLock.Release" => lk.Release,
                "AsyncSemaphore.Release" => sem.Release,
                "AsyncCondition.Notify" => () => cond.Notify(),
                "AsyncCondition.NotifyAll" => cond.NotifyAll,
                "AsyncQueue.TryPut" => () => queue.TryPut(3),
                "AsyncQueue.TryGet" => () => queue.TryGet(out _),
                "AsyncQueue.TaskDone" => queue.TaskDone,
                _ => () => queue.Shutdown(),
            };
            string result = await FromWorker(change);
            waiters.Cancel();
            condWaiter.Cancel();
            return result;
        }, LoopRun.Virtual());

        Assert.StartsWith($"{member} was called on thread ", message);
        Assert.Contains("CallSoonThreadSafe", message);
    }
}
