using System.Runtime.CompilerServices;

namespace Asyncio;

public partial class AsyncQueue<T>
{
    /// <summary>
    /// Awaits a get without a coroutine frame of its own: the fast path runs when the awaiter is made (right before
    /// <c>IsCompleted</c>); a get from an empty queue parks the task in the getters' wait queue. A woken getter that
    /// finds the queue empty again (a newcomer took the item first) is parked again at the tail before its coroutine
    /// runs, as asyncio's <c>while self.empty(): await getter</c>.
    /// </summary>
    public readonly struct GetAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly AsyncQueue<T> _queue;
        private readonly T _item;
        private readonly CancellationToken _token;
        private readonly bool _ready;   // taken now (in _item), or the token was already cancelled (nothing taken)

        internal GetAwaiter(AsyncQueue<T> queue, CancellationToken token)
        {
            _queue = queue;
            _token = token;
            _item = default!;
            if (token.IsCancellationRequested)
            {
                _ready = true;
            }
            else if (queue.TryGet(out _item))
            {
                _ready = true;
            }
            else if (queue._shutdown)
            {
                throw ShutDown("GetAsync");
            }
        }

        private WaitQueue.WaitAwaiter Wait => _queue._getters.WaitAsync(_token).GetAwaiter();

        /// <summary>True when an item was taken at once; throws when a wait is needed and no loop runs on this thread.</summary>
        public bool IsCompleted => _ready || Wait.IsCompleted;

        /// <summary>The item; throws <see cref="QueueShutDownError"/>, <see cref="CancelledError"/> or <see cref="OperationCanceledException"/>.</summary>
        public T GetResult()
        {
            if (_ready)
            {
                _token.ThrowIfCancellationRequested();
                return _item;
            }

            return _queue.AfterGetWait(Wait);
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame)
        {
            Wait.Park(task);
            task.SetResumeGuard(_queue.GetGuard, _token);
        }

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Plain .NET async code waits as a getter; it is parked again while the queue stays empty.</summary>
        public void UnsafeOnCompleted(Action continuation) => new ForeignWait(_queue.GetGuard, _token, continuation).Park();
    }

    /// <summary>After a wait: a woken getter finds an item (or a shut-down empty queue); a cancelled one passes a wake-up on.</summary>
    private T AfterGetWait(WaitQueue.WaitAwaiter wait)
    {
        try
        {
            wait.GetResult();
        }
        catch (OperationCanceledException)
        {
            if (!IsEmpty && _getters.ResumedAfterWake)
            {
                _getters.WakeOne();   // woken for an item we will not take: pass it on
            }

            throw;
        }

        // The resume guard let the task run only with an item or after a shutdown.
        if (IsEmpty)
        {
            throw ShutDown("GetAsync");
        }

        return GetNoWait();
    }
}
