namespace Asyncio.IO;

/// <summary>Bytes a transport could not send yet: one growable array with a read position. Loop thread only.</summary>
internal sealed class WriteBuffer
{
    private byte[] _data = Array.Empty<byte>();
    private int _start;
    private int _end;

    public int Count => _end - _start;

    public ReadOnlySpan<byte> Pending => new(_data, _start, _end - _start);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_data.Length - _end < bytes.Length)
        {
            int count = Count;
            if (count + bytes.Length <= _data.Length / 2 && _start > 0)
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

    public void Clear()
    {
        _start = _end = 0;
        _data = Array.Empty<byte>();
    }
}
