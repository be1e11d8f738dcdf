using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// The future <c>Aio.Gather</c> returns (asyncio's <c>_GatheringFuture</c>): done when every child is done, with the
/// results in argument order; or, without <c>returnExceptions</c>, failed as soon as one child fails or is cancelled
/// (the others keep running). Cancelling it cancels every unfinished child; it then fails with
/// <see cref="CancelledError"/> once they are done, whatever <c>returnExceptions</c> says.
/// </summary>
/// <typeparam name="TResult">The combined result: an array or a tuple.</typeparam>
public sealed class GatheringFuture<TResult> : AioFuture, IAioAwaitable<TResult>, IResultSource<TResult>
{
    private readonly AioFuture[] _children;   // in argument order, duplicates included
    private readonly int _unique;
    private readonly bool _returnExceptions;
    private readonly Func<AioFuture[], TResult> _combine;
    private int _finished;
    private bool _cancelRequested;
    private TResult _result = default!;

    /// <param name="loop">The running loop.</param>
    /// <param name="children">The children in argument order, duplicates included (their results are repeated).</param>
    /// <param name="unique">Each distinct child once: those are waited on.</param>
    /// <param name="returnExceptions">asyncio's <c>return_exceptions</c>.</param>
    /// <param name="combine">Builds the result from the finished children.</param>
    internal GatheringFuture(EventLoop loop, AioFuture[] children, List<AioFuture> unique, bool returnExceptions, Func<AioFuture[], TResult> combine)
        : base(loop)
    {
        _children = children;
        _returnExceptions = returnExceptions;
        _combine = combine;
        List<AioFuture>? done = null;
        foreach (AioFuture child in unique)
        {
            if (child.IsDone)
            {
                (done ??= new List<AioFuture>()).Add(child);
            }
            else
            {
                child.AddInternalCallback(s_childDone, new ChildLink(this, child));
            }
        }

        _unique = unique.Count;
        foreach (AioFuture child in done ?? [])
        {
            OnChildDone(child);   // children that finished eagerly may complete the gather right here
        }

        if (_unique == 0)
        {
            _result = combine(children);
            CompleteWith(Succeeded, null);
        }
    }

    /// <summary>The children, in argument order.</summary>
    public IReadOnlyList<AioFuture> Children => _children;

    /// <summary>The combined result.</summary>
    /// <exception cref="InvalidStateError">Still pending.</exception>
    public TResult Result
    {
        get
        {
            CheckThread(nameof(Result));
            ThrowIfNotSucceeded();
            return _result;
        }
    }

    /// <summary>
    /// Cancels every unfinished child; returns true if any child accepted. The gather then fails with
    /// <see cref="CancelledError"/> once the children are done.
    /// </summary>
    public override bool Cancel(string? msg = null)
    {
        CheckThread(nameof(Cancel));
        if (IsDone)
        {
            return false;
        }

        bool any = false;
        foreach (AioFuture child in _children)
        {
            if (child.Cancel(msg))
            {
                any = true;
            }
        }

        if (any)
        {
            _cancelRequested = true;   // propagate the cancellation whatever returnExceptions says (bpo-32684)
        }

        return any;
    }

    /// <summary>Lets <c>await</c> get the combined result.</summary>
    public new GatheringAwaiter GetAwaiter() => new(this);

    private sealed record ChildLink(GatheringFuture<TResult> Owner, AioFuture Child) : IAwaiterLink
    {
        public AioFuture? AwaiterOf(AioFuture awaited) => ReferenceEquals(awaited, Child) ? Owner : null;
    }

    private static readonly Action<object?> s_childDone = static s =>
    {
        var link = (ChildLink)s!;
        link.Owner.OnChildDone(link.Child);
    };

    private void OnChildDone(AioFuture child)
    {
        _finished++;
        if (IsDone)
        {
            child._flags |= Retrieved;   // nobody will look at it any more
            return;
        }

        if (!_returnExceptions)
        {
            if (child.IsCancelled)
            {
                CompleteWith(Failed, CancelledOf(child));
                return;
            }

            if (child.IsFaulted)
            {
                child._flags |= Retrieved;
                CompleteWith(Failed, child._outcome);
                return;
            }
        }

        if (_finished == _unique)
        {
            foreach (AioFuture c in _children)
            {
                c._flags |= Retrieved;
            }

            if (_cancelRequested)
            {
                CompleteWith(Failed, CancelledOf(child));
                return;
            }

            try
            {
                _result = _combine(_children);
            }
            catch (Exception e)
            {
                CompleteWith(Failed, e);
                return;
            }

            CompleteWith(Succeeded, null);
        }
    }

    /// <summary>A fresh CancelledError carrying the child's cancel message.</summary>
    internal static CancelledError CancelledOf(AioFuture child) =>
        child.IsCancelled && child._outcome is CancelledError saved ? new CancelledError(saved.CancelMessage, saved) : new CancelledError();

    TResult IResultSource<TResult>.ResultAfterDone() => ResultAfterDone();

    internal TResult ResultAfterDone()
    {
        ThrowIfNotSucceeded();
        return _result;
    }

    internal override object? BoxedResult() => _result;

    internal override string Describe() => $"<GatheringFuture {StateName} children={_children.Length}>";

    /// <inheritdoc/>
    public override string ToString() => Describe();

    /// <summary>Awaits a <see cref="GatheringFuture{TResult}"/>.</summary>
    public readonly struct GatheringAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly GatheringFuture<TResult> _future;

        internal GatheringAwaiter(GatheringFuture<TResult> future) => _future = future;

        /// <summary>True once every child is done (or one failed).</summary>
        public bool IsCompleted
    {
        get
        {
            _future.CheckAwaitLoop();
            return _future.IsDone;
        }
    }

        /// <summary>The combined result, or the exception.</summary>
        public TResult GetResult()
        {
            AioTask.ThrowIfResumedWithError();
            return _future.ResultAfterDone();
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => task.WaitOnFuture(_future);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            _future.CheckThread("await (from plain .NET async code)");
            _future.AddContinuation(continuation);
        }
    }
}
