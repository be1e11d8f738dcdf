using System.Runtime.CompilerServices;

namespace Asyncio;

public partial class AsyncQueue<T>
{
    /// <summary>
    /// Awaits a put without a coroutine frame of its own: the fast path runs when the awaiter is made (right before
    /// <c>IsCompleted</c>); a put into a full queue parks the task in the putters' wait queue. A woken putter that finds
    /// the queue full again (a newcomer took the slot first) is parked again at the tail before its coroutine runs, as
    /// asyncio's <c>while self.full(): await putter</c>.
    /// </summary>
    public readonly struct PutAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly AsyncQueue<T> _queue;
        private readonly T _item;
        private readonly CancellationToken _token;
        private readonly bool _ready;   // put now, or the token was already cancelled (nothing put)

        internal PutAwaiter(AsyncQueue<T> queue, T item, CancellationToken token)
        {
            _queue = queue;
            _item = item;
            _token = token;
            if (token.IsCancellationRequested)
            {
                _ready = true;
            }
            else if (!queue.IsFull || queue._shutdown)
            {
                queue.PutNoWait(item);   // a shut-down queue throws here, as asyncio's put_nowait
                _ready = true;
            }
        }

        private WaitQueue.WaitAwaiter Wait => _queue._putters.WaitAsync(_token).GetAwaiter();

        /// <summary>True when the item was put at once; throws when a wait is needed and no loop runs on this thread.</summary>
        public bool IsCompleted => _ready || Wait.IsCompleted;

        /// <summary>Returns once the item is in the queue; throws <see cref="QueueShutDownError"/>, <see cref="CancelledError"/> or <see cref="OperationCanceledException"/>.</summary>
        public void GetResult()
        {
            if (_ready)
            {
                _token.ThrowIfCancellationRequested();
                return;
            }

            _queue.AfterPutWait(Wait, _item);
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame)
        {
            Wait.Park(task);
            task.SetResumeGuard(_queue.PutGuard, _token);
        }

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Plain .NET async code waits as a putter; it is parked again while the queue stays full.</summary>
        public void UnsafeOnCompleted(Action continuation) => new ForeignWait(_queue.PutGuard, _token, continuation).Park();
    }

    /// <summary>After a wait: a woken putter finds room (or a shut-down queue); a cancelled one passes a wake-up on.</summary>
    private void AfterPutWait(WaitQueue.WaitAwaiter wait, T item)
    {
        try
        {
            wait.GetResult();
        }
        catch (OperationCanceledException)
        {
            if (!IsFull && _putters.ResumedAfterWake)
            {
                _putters.WakeOne();   // woken for a free slot we will not use: pass it on
            }

            throw;
        }

        // The resume guard let the task run only with room or after a shutdown.
        if (IsFull)
        {
            throw ShutDown("PutAsync");
        }

        PutNoWait(item);
    }
}
