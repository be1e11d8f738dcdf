namespace Asyncio;

public partial class AsyncQueue<T>
{
    private WaitGuard? _putGuard;
    private WaitGuard? _getGuard;

    private WaitGuard PutGuard => _putGuard ??= new WaitGuard(this, putters: true);

    private WaitGuard GetGuard => _getGuard ??= new WaitGuard(this, putters: false);

    /// <summary>
    /// The loop of asyncio's <c>put</c>/<c>get</c> for frameless waiters: a woken putter (getter) that finds the queue
    /// full (empty) again and not shut down waits again, at the tail, with the same token.
    /// </summary>
    /// <remarks>
    /// Invariant: a waiter parked with this guard resumes into its awaiter only when woken with room (an item), after a
    /// shutdown, or with an error (cancel, token); the awaiter then finishes without waiting again.
    /// </remarks>
    private sealed class WaitGuard(AsyncQueue<T> queue, bool putters) : IResumeGuard
    {
        public WaitQueue Waiters => putters ? queue._putters : queue._getters;

        /// <summary>True while the wait the guarded waiter was woken from must go on.</summary>
        public bool MustWaitAgain => (putters ? queue.IsFull : queue.IsEmpty) && !queue._shutdown;

        public bool TryRepark(AioTask task, CancellationToken token)
        {
            if (!MustWaitAgain)
            {
                return false;
            }

            // What the awaiter's resume would do (settle the wake-up), then a fresh wait at the tail.
            task._flags &= ~FutureFlags.WokenFromQueue;
            WaitQueue waiters = Waiters;
            waiters.OnResumed(wasWoken: true);
            waiters.Park(task, token);
            task.SetResumeGuard(this, token);
            return true;
        }
    }

    /// <summary>
    /// A putter or getter in plain .NET async code (no task step to re-check in): its wake-up re-checks here and parks
    /// again while the wait must go on; otherwise the awaiting code resumes and its awaiter finishes.
    /// </summary>
    private sealed class ForeignWait(WaitGuard guard, CancellationToken token, Action continuation)
    {
        private Action? _onWoken;

        public void Park() => guard.Waiters.WaitAsync(token).GetAwaiter().UnsafeOnCompleted(_onWoken ??= OnWoken);

        private void OnWoken()
        {
            if (EventLoop.Current is { _resumeError: null } && guard.MustWaitAgain)
            {
                guard.Waiters.WaitAsync(token).GetAwaiter().GetResult();   // settles the wake-up; there is no error to throw
                Park();
                return;
            }

            continuation();
        }
    }
}
