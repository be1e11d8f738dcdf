namespace Asyncio.Testing;

/// <summary>A growable FIFO of bytes kept contiguous (one array, a start and an end), for a transport's write buffer.</summary>
internal sealed class ByteQueue
{
    private byte[] _buffer = Array.Empty<byte>();
    private int _start;
    private int _end;

    /// <summary>Bytes queued.</summary>
    public int Count => _end - _start;

    /// <summary>The queued bytes, oldest first; valid until the next <see cref="Append"/>.</summary>
    public ReadOnlySpan<byte> Peek(int max) => _buffer.AsSpan(_start, Math.Min(max, Count));

    /// <summary>Appends a copy of <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_buffer.Length - _end < data.Length)
        {
            int count = Count;
            if (_buffer.Length - count >= data.Length && count <= _buffer.Length / 2)
            {
                _buffer.AsSpan(_start, count).CopyTo(_buffer);   // enough room once the consumed head is reclaimed
            }
            else
            {
                var bigger = new byte[Math.Max(count + data.Length, Math.Max(_buffer.Length * 2, 4096))];
                _buffer.AsSpan(_start, count).CopyTo(bigger);
                _buffer = bigger;
            }

            _start = 0;
            _end = count;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Drops the <paramref name="count"/> oldest bytes.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Drops everything.</summary>
    public void Clear() => _start = _end = 0;
}
