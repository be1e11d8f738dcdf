namespace Asyncio.IO;

/// <summary>
/// Bytes a transport could not send yet: one growable array with a read position. Loop thread only.
/// </summary>
/// <remarks>
/// A completion-based transport hands the pending bytes to an asynchronous send with <see cref="BeginSend"/> and
/// appends behind them meanwhile. Invariant: the first <see cref="InFlight"/> pending bytes belong to that send and
/// never move within the array it reads (growing copies them into a new array and leaves the old one as it was;
/// sliding back waits until nothing is in flight).
/// </remarks>
internal sealed class WriteBuffer
{
    private byte[] _data = Array.Empty<byte>();
    private int _start;
    private int _end;
    private int _inFlight;

    /// <summary>Every byte not yet sent, including those in flight.</summary>
    public int Count => _end - _start;

    /// <summary>Bytes handed to the asynchronous send that has not completed yet (0 on the epoll backend).</summary>
    public int InFlight => _inFlight;

    public ReadOnlySpan<byte> Pending => new(_data, _start, _end - _start);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_data.Length - _end < bytes.Length)
        {
            int count = Count;
            if (count + bytes.Length <= _data.Length / 2 && _start > 0 && _inFlight == 0)
            {
                Buffer.BlockCopy(_data, _start, _data, 0, count);   // slide back instead of growing
            }
            else
            {
                var bigger = new byte[Math.Max(4096, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(count + bytes.Length)))];
                Buffer.BlockCopy(_data, _start, bigger, 0, count);
                _data = bigger;
            }

            _start = 0;
            _end = count;
        }

        bytes.CopyTo(_data.AsSpan(_end));
        _end += bytes.Length;
    }

    public void Consume(int n)
    {
        _start += n;
        if (_start == _end)
        {
            _start = _end = 0;
            if (_data.Length > 1024 * 1024)
            {
                _data = Array.Empty<byte>();   // don't keep a burst's buffer
            }
        }
    }

    /// <summary>Marks every pending byte as in flight and returns them for an asynchronous send. Nothing may be in flight yet.</summary>
    public ReadOnlyMemory<byte> BeginSend()
    {
        System.Diagnostics.Debug.Assert(_inFlight == 0, "One asynchronous send at a time.");
        _inFlight = Count;
        return new ReadOnlyMemory<byte>(_data, _start, _inFlight);
    }

    /// <summary>The send started by <see cref="BeginSend"/> completed having sent <paramref name="sent"/> bytes; the rest is pending again.</summary>
    public void EndSend(int sent)
    {
        System.Diagnostics.Debug.Assert(sent <= _inFlight, "A send cannot send more than it was given.");
        _inFlight = 0;
        Consume(sent);
    }

    /// <summary>Drops everything; a send in flight keeps reading the old array, and its completion must be ignored.</summary>
    public void Clear()
    {
        _start = _end = _inFlight = 0;
        _data = Array.Empty<byte>();
    }
}
