using System.Threading.Tasks.Sources;

namespace Asyncio;

public partial class AsyncQueue<T>
{
    /// <summary>
    /// Consumes the queue with <c>await foreach</c>: each item in order until the queue is shut down and empty. The
    /// items are removed as with <see cref="GetAsync"/>; calling <see cref="TaskDone"/> stays yours. Inside a task,
    /// cancelling the task ends the loop with <see cref="CancelledError"/> (its <see cref="AioTask.CancellationToken"/>
    /// is watched, linked with <paramref name="cancellationToken"/> when one is given); a cancelled
    /// <paramref name="cancellationToken"/> ends it with <see cref="OperationCanceledException"/>.
    /// </summary>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        AioTask? task = EventLoop.Current?._currentTask;
        if (task is null)
        {
            return new Enumerator(this, cancellationToken, cancellationToken, null, null);
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return new Enumerator(this, task.CancellationToken, default, task, null);
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, task.CancellationToken);
        return new Enumerator(this, linked.Token, cancellationToken, task, linked);
    }

    /// <summary>A queue consumer for <c>await foreach</c>; its waits park in the queue like a getter.</summary>
    private sealed class Enumerator(AsyncQueue<T> queue, CancellationToken token, CancellationToken userToken, AioTask? tokenOwner,
        CancellationTokenSource? linked)
        : IAsyncEnumerator<T>, IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
        private WaitQueue.WaitAwaiter _wait;
        private T _current = default!;

        public T Current => _current;

        public ValueTask<bool> MoveNextAsync()
        {
            if (queue.TryGet(out T item))
            {
                _current = item;
                return new ValueTask<bool>(true);
            }

            if (queue._shutdown)
            {
                return new ValueTask<bool>(false);
            }

            _core.Reset();
            Park();
            return new ValueTask<bool>(this, _core.Version);
        }

        private void Park()
        {
            _wait = queue._getters.WaitAsync(token).GetAwaiter();
            _wait.UnsafeOnCompleted(OnWoken);
        }

        private void OnWoken()
        {
            try
            {
                _wait.GetResult();
            }
            catch (OperationCanceledException e)
            {
                if (!queue.IsEmpty && queue._getters.ResumedAfterWake)
                {
                    queue._getters.WakeOne();
                }

                if (e.CancellationToken == token && userToken.IsCancellationRequested)
                {
                    _core.SetException(new OperationCanceledException(userToken));
                }
                else if (tokenOwner is not null && e.CancellationToken == token)
                {
                    tokenOwner.NoteCancelDeliveredByToken();   // this error delivers the task's pending cancel
                    _core.SetException(tokenOwner.MakeCancelledError());
                }
                else
                {
                    _core.SetException(e);
                }
                return;
            }

            if (queue.TryGet(out T item))
            {
                _current = item;
                _core.SetResult(true);
            }
            else if (queue._shutdown)
            {
                _core.SetResult(false);
            }
            else
            {
                Park();   // someone else took the item first
            }
        }

        public ValueTask DisposeAsync()
        {
            linked?.Dispose();
            return ValueTask.CompletedTask;
        }

        bool IValueTaskSource<bool>.GetResult(short version) => _core.GetResult(version);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short version) => _core.GetStatus(version);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short version, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, version, flags);
    }
}
