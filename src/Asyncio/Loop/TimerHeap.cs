using System.Diagnostics;

namespace Asyncio;

/// <summary>Something a timer wakes: a <see cref="TimerHandle"/>, a sleeping task, a virtual-clock timer.</summary>
internal interface ITimerTarget
{
    /// <summary>False once the timer registered with <paramref name="seq"/> was cancelled or superseded.</summary>
    bool IsTimerLive(long seq);

    /// <summary>Called on the loop thread when the timer is due; it queues what should run.</summary>
    void OnTimer(EventLoop loop, long seq);
}

/// <summary>One scheduled timer: 24 bytes in the heap array.</summary>
internal struct TimerEntry
{
    public long Due;
    public long Seq;
    /// <summary>An <see cref="ITimerTarget"/>, or an <see cref="Action"/> continuation of plain .NET async code.</summary>
    public object Target;
}

/// <summary>
/// A 4-ary min-heap of timers ordered by (due time, sequence number): ties run in the order they were scheduled,
/// which CPython leaves unspecified and which keeps virtual-time runs deterministic. Loop thread only.
/// Cancelled timers stay in place and are skipped when they reach the top; the heap is rebuilt without them once
/// more than half of over 100 timers are dead (CPython's <c>_MIN_SCHEDULED_TIMER_HANDLES</c> rule).
/// </summary>
internal sealed class TimerHeap
{
    private const int MinTimersForPurge = 100;

    private TimerEntry[] _heap = new TimerEntry[16];
    private int _count;
    private long _nextSeq = 1;
    private int _stale;

    /// <summary>Timers in the heap, cancelled ones included.</summary>
    public int Count => _count;

    /// <summary>Timers known to be cancelled but still in the heap.</summary>
    public int StaleCount => _stale;

    public long Push(long due, object target)
    {
        Debug.Assert(target is ITimerTarget || target is Action);
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        long seq = _nextSeq++;
        SiftUp(_count, new TimerEntry { Due = due, Seq = seq, Target = target });
        _count++;
        return seq;
    }

    /// <summary>Records that one timer in the heap became dead.</summary>
    public void NoteStale() => _stale++;

    /// <summary>Once per iteration, as CPython's <c>_run_once</c>: rebuilds without dead timers when more than half of over 100 are dead.</summary>
    public void PurgeIfMostlyStale()
    {
        if (_count > MinTimersForPurge && _stale * 2 > _count)
        {
            Purge();
        }
    }

    /// <summary>Drops dead timers from the top; returns the due time of the first live one.</summary>
    public bool TryPeekDue(out long due)
    {
        while (_count > 0)
        {
            ref TimerEntry top = ref _heap[0];
            if (IsLive(in top))
            {
                due = top.Due;
                return true;
            }

            RemoveTop();
            if (_stale > 0)
            {
                _stale--;
            }
        }

        due = 0;
        return false;
    }

    /// <summary>Removes the top timer if it is due at or before <paramref name="now"/>.</summary>
    public bool TryPopDue(long now, out TimerEntry entry)
    {
        while (_count > 0)
        {
            ref TimerEntry top = ref _heap[0];
            if (!IsLive(in top))
            {
                RemoveTop();
                if (_stale > 0)
                {
                    _stale--;
                }

                continue;
            }

            if (top.Due > now)
            {
                break;
            }

            entry = top;
            RemoveTop();
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Live timers, in no particular order (for diagnostics).</summary>
    public IEnumerable<TimerEntry> LiveEntries()
    {
        for (int i = 0; i < _count; i++)
        {
            if (IsLive(in _heap[i]))
            {
                yield return _heap[i];
            }
        }
    }

    /// <summary>Shrinks the heap array when it is large and nearly empty (after a burst of timers).</summary>
    public void TrimExcess()
    {
        const int KeepAtLeast = 4096;
        if (_heap.Length > KeepAtLeast && _count * 16 < _heap.Length)
        {
            Array.Resize(ref _heap, Math.Max(KeepAtLeast, _count * 4));
        }
    }

    public void Clear()
    {
        Array.Clear(_heap, 0, _count);
        _count = 0;
        _stale = 0;
    }

    private static bool IsLive(in TimerEntry e) => e.Target is not ITimerTarget t || t.IsTimerLive(e.Seq);

    private static bool Less(in TimerEntry a, in TimerEntry b) => a.Due < b.Due || (a.Due == b.Due && a.Seq < b.Seq);

    private void RemoveTop()
    {
        _count--;
        TimerEntry last = _heap[_count];
        _heap[_count] = default;
        if (_count > 0)
        {
            SiftDown(0, last);
        }
    }

    private void SiftUp(int index, TimerEntry entry)
    {
        while (index > 0)
        {
            int parent = (index - 1) >> 2;
            if (!Less(in entry, in _heap[parent]))
            {
                break;
            }

            _heap[index] = _heap[parent];
            index = parent;
        }

        _heap[index] = entry;
    }

    private void SiftDown(int index, TimerEntry entry)
    {
        while (true)
        {
            int first = (index << 2) + 1;
            if (first >= _count)
            {
                break;
            }

            int best = first;
            int end = Math.Min(first + 4, _count);
            for (int c = first + 1; c < end; c++)
            {
                if (Less(in _heap[c], in _heap[best]))
                {
                    best = c;
                }
            }

            if (!Less(in _heap[best], in entry))
            {
                break;
            }

            _heap[index] = _heap[best];
            index = best;
        }

        _heap[index] = entry;
    }

    private void Purge()
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            if (IsLive(in _heap[i]))
            {
                _heap[kept++] = _heap[i];
            }
        }

        Array.Clear(_heap, kept, _count - kept);
        _count = kept;
        _stale = 0;
        for (int i = (_count - 2) >> 2; i >= 0; i--)
        {
            SiftDown(i, _heap[i]);
        }
    }
}
