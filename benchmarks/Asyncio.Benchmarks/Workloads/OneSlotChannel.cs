namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// A tiny loop-native hand-off built on <see cref="WaitQueue"/>: one value slot. <see cref="Put"/> fills the slot and
/// wakes one taker; <see cref="Take"/> parks until the slot is full, then empties it. Loop thread only; reusable, so a
/// round trip allocates nothing.
/// </summary>
internal sealed class OneSlotChannel
{
    private readonly WaitQueue _takers = new();
    private int _value;
    private bool _has;

    /// <summary>Fills the slot and wakes the longest-waiting taker. The slot must be empty.</summary>
    public void Put(int value)
    {
        if (_has)
        {
            throw new InvalidOperationException("OneSlotChannel.Put: the slot is already full; take the value first.");
        }

        _value = value;
        _has = true;
        _takers.WakeOne();
    }

    /// <summary>Waits until the slot is full, then empties it and returns the value.</summary>
    public async Coroutine<int> Take()
    {
        while (!_has)
        {
            await _takers.WaitAsync();
        }

        _has = false;
        return _value;
    }
}
