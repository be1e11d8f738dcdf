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
}

/// <summary>
/// The loop's FIFO of callbacks: a power-of-two ring of structs, so queueing allocates nothing once the ring
/// has grown to its working size. Loop thread only.
/// </summary>
/// <remarks>
/// Invariant: the item at logical offset i from the head was queued with sequence number <c>_headSeq + i</c>, so a
/// <see cref="Handle"/> finds its item without a search. Items never move relative to the head: a seeded iteration
/// runs its batch in another order in place (<see cref="TakeAt"/>) and then drops it (<see cref="Skip"/>).
/// </remarks>
internal sealed class ReadyQueue
{
    private ReadyItem[] _items = new ReadyItem[64];
    private int _head;
    private int _count;
    private long _headSeq = 1;

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
        _count++;
        return seq;
    }

    /// <summary>Removes the head item into <paramref name="item"/>. The queue must not be empty.</summary>
    public void Dequeue(out ReadyItem item, out long seq)
    {
        seq = _headSeq;
        Debug.Assert(_count > 0, "Dequeue on an empty ready queue.");
        ref ReadyItem slot = ref _items[_head];
        item = slot;
        slot = default;
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        _headSeq++;
    }

    /// <summary>Takes (and clears) the item at logical offset <paramref name="offset"/> without moving the head.</summary>
    public void TakeAt(int offset, out ReadyItem item, out long seq)
    {
        seq = _headSeq + offset;
        ref ReadyItem slot = ref _items[(_head + offset) & (_items.Length - 1)];
        item = slot;
        slot = default;
    }

    /// <summary>Drops the first <paramref name="n"/> items (already taken with <see cref="TakeAt"/>).</summary>
    public void Skip(int n)
    {
        Debug.Assert(n <= _count);
        int mask = _items.Length - 1;
        for (int i = 0; i < n; i++)
        {
            _items[(_head + i) & mask] = default;
        }

        _head = (_head + n) & mask;
        _count -= n;
        _headSeq += n;
    }

    /// <summary>Cancels the item queued with <paramref name="seq"/> if it has not run yet.</summary>
    public bool Cancel(long seq)
    {
        long offset = seq - _headSeq;
        if (offset < 0 || offset >= _count)
        {
            return false;
        }

        ref ReadyItem item = ref _items[(_head + (int)offset) & (_items.Length - 1)];
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
        return offset >= 0 && offset < _count && _items[(_head + (int)offset) & (_items.Length - 1)].Callback is not null;
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
    }

    /// <summary>
    /// After a burst (a million tasks started at once, say) gives the memory back: shrinks the ring when it is large
    /// and nearly empty. Called between iterations.
    /// </summary>
    public void TrimExcess()
    {
        const int KeepAtLeast = 4096;
        if (_items.Length <= KeepAtLeast || _count * 16 > _items.Length)
        {
            return;
        }

        int size = Math.Max(KeepAtLeast, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, _count * 4)));
        var smaller = new ReadyItem[size];
        int mask = _items.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            smaller[i] = _items[(_head + i) & mask];
        }

        _items = smaller;
        _head = 0;
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
