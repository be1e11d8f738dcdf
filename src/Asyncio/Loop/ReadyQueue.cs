using System.Diagnostics;

namespace Asyncio;

/// <summary>One callback waiting in the ready queue.</summary>
internal struct ReadyItem
{
    /// <summary>Null once the item has run or was cancelled.</summary>
    public Action<object?>? Callback;
    public object? State;
    /// <summary>The context captured when a user callback was queued; null for the loop's own callbacks.</summary>
    public ExecutionContext? Context;
    /// <summary>The sequence number its <see cref="Handle"/> carries.</summary>
    public long Seq;
}

/// <summary>
/// The loop's FIFO of callbacks: a power-of-two ring of structs, so queueing allocates nothing once the ring
/// has grown to its working size. Loop thread only.
/// </summary>
/// <remarks>
/// Invariant: the item at logical offset i from the head carries <c>Seq == _headSeq + i</c>, unless a seeded
/// iteration permuted the batch at the head (<see cref="PermuteFront"/>); <see cref="Cancel"/> then searches.
/// </remarks>
internal sealed class ReadyQueue
{
    private ReadyItem[] _items = new ReadyItem[64];
    private int _head;
    private int _count;
    private long _headSeq = 1;
    private bool _permuted;

    public int Count => _count;

    public long Enqueue(Action<object?> callback, object? state, ExecutionContext? context)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        long seq = _headSeq + _count;
        ref ReadyItem item = ref _items[(_head + _count) & (_items.Length - 1)];
        item.Callback = callback;
        item.State = state;
        item.Context = context;
        item.Seq = seq;
        _count++;
        return seq;
    }

    /// <summary>Removes the head item into <paramref name="item"/>. The queue must not be empty.</summary>
    public void Dequeue(out ReadyItem item)
    {
        Debug.Assert(_count > 0, "Dequeue on an empty ready queue.");
        ref ReadyItem slot = ref _items[_head];
        item = slot;
        slot = default;
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        _headSeq++;
        if (_count == 0)
        {
            _permuted = false;
        }
    }

    /// <summary>Cancels the item queued with <paramref name="seq"/> if it has not run yet.</summary>
    public bool Cancel(long seq)
    {
        long offset = seq - _headSeq;
        if (offset < 0 || offset >= _count)
        {
            return false;
        }

        int mask = _items.Length - 1;
        ref ReadyItem item = ref _items[(_head + (int)offset) & mask];
        if (item.Seq != seq)
        {
            Debug.Assert(_permuted, "Sequence numbers only move when a seeded iteration permuted the batch.");
            item = ref FindBySeq(seq);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref item))
            {
                return false;
            }
        }

        if (item.Callback is null)
        {
            return false;
        }

        item.Callback = null;
        item.State = null;
        item.Context = null;
        return true;
    }

    /// <summary>True if the item queued with <paramref name="seq"/> is still waiting to run.</summary>
    public bool IsPending(long seq)
    {
        long offset = seq - _headSeq;
        if (offset < 0 || offset >= _count)
        {
            return false;
        }

        ref ReadyItem item = ref _items[(_head + (int)offset) & (_items.Length - 1)];
        if (item.Seq != seq)
        {
            item = ref FindBySeq(seq);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref item))
            {
                return false;
            }
        }

        return item.Callback is not null;
    }

    /// <summary>
    /// Reorders the first <paramref name="n"/> items by <paramref name="order"/> (a permutation of 0..n-1:
    /// the item that runs k-th is the one now at offset order[k]).
    /// </summary>
    public void PermuteFront(int n, int[] order)
    {
        Debug.Assert(n <= _count);
        int mask = _items.Length - 1;
        var copy = new ReadyItem[n];
        for (int i = 0; i < n; i++)
        {
            copy[i] = _items[(_head + i) & mask];
        }

        for (int k = 0; k < n; k++)
        {
            _items[(_head + k) & mask] = copy[order[k]];
        }

        _permuted = true;
    }

    /// <summary>The item at logical offset <paramref name="offset"/> from the head (for seeded grouping).</summary>
    public ref ReadyItem PeekAt(int offset) => ref _items[(_head + offset) & (_items.Length - 1)];

    /// <summary>Drops every queued callback (used by <see cref="EventLoop.Close"/>).</summary>
    public void Clear()
    {
        Array.Clear(_items);
        _headSeq += _count;
        _head = 0;
        _count = 0;
        _permuted = false;
    }

    private ref ReadyItem FindBySeq(long seq)
    {
        int mask = _items.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            ref ReadyItem candidate = ref _items[(_head + i) & mask];
            if (candidate.Seq == seq)
            {
                return ref candidate;
            }
        }

        return ref System.Runtime.CompilerServices.Unsafe.NullRef<ReadyItem>();
    }

    private void Grow()
    {
        var bigger = new ReadyItem[_items.Length * 2];
        int mask = _items.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            bigger[i] = _items[(_head + i) & mask];
        }

        _items = bigger;
        _head = 0;
    }
}
