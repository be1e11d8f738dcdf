namespace Asyncio.IO;

/// <summary>
/// One end of a pipe to a child process on the portable backend, over the <see cref="Stream"/> that
/// <see cref="System.Diagnostics.Process"/> gives for it: reads and writes are asynchronous stream operations whose
/// completions are posted to the loop. The read end may take several streams whose data all goes to the one protocol
/// (a child's stdout and stderr when stderr goes where stdout goes: <see cref="System.Diagnostics.Process"/> cannot
/// give both ends one pipe); it reaches EOF when every stream has.
/// </summary>
/// <remarks>
/// Invariants: a read is outstanding and watched on each source not at EOF iff <see cref="PipeTransport.WantsToRead"/>
/// (one left outstanding after a pause is unwatched, and what it read is delivered once reading resumes); a write
/// is outstanding iff <see cref="WriteBuffer.InFlight"/> is positive.
/// </remarks>
internal sealed class StreamPipeTransport : PipeTransport
{
    private const int ReadSize = 64 * 1024;

    private readonly Source[] _sources;
    private readonly Stream? _writeTo;
    private readonly CompletionSlot<int>? _write;
    private int _open;   // sources not at EOF

    private StreamPipeTransport(EventLoop loop, Protocol protocol, Stream? writeTo, Stream[] readFrom)
        : base(loop, readable: writeTo is null, protocol)
    {
        if (writeTo is not null)
        {
            _writeTo = writeTo;
            _write = new CompletionSlot<int>(loop.Completions!, this, static slot => ((StreamPipeTransport)slot.Owner).OnWritten());
        }

        _sources = new Source[readFrom.Length];
        for (int i = 0; i < readFrom.Length; i++)
        {
            _sources[i] = new Source(this, readFrom[i]);
        }

        _open = readFrom.Length;
    }

    /// <summary>The write end: bytes written to the transport go to <paramref name="stream"/>.</summary>
    public static StreamPipeTransport Writing(EventLoop loop, Protocol protocol, Stream stream) => new(loop, protocol, stream, []);

    /// <summary>The read end: what <paramref name="streams"/> deliver goes to the protocol, in the order it arrives.</summary>
    public static StreamPipeTransport Reading(EventLoop loop, Protocol protocol, params Stream[] streams) => new(loop, protocol, null, streams);

    /// <summary>One stream of the read end with its own buffer and read in flight.</summary>
    private sealed class Source
    {
        public readonly Stream Stream;
        public readonly byte[] Buffer = new byte[ReadSize];
        public readonly CompletionSlot<int> Read;
        public bool Eof;

        /// <summary>Bytes read while reading was paused, delivered when it resumes.</summary>
        public int Held;

        public Source(StreamPipeTransport owner, Stream stream)
        {
            Stream = stream;
            Read = new CompletionSlot<int>(owner._loop.Completions!, (owner, this), static slot =>
            {
                var (t, source) = ((StreamPipeTransport, Source))slot.Owner;
                t.OnRead(source);
            });
        }
    }

    protected override void UpdateReader()
    {
        bool want = WantsToRead;
        foreach (Source source in _sources)
        {
            if (source.Eof || !want || source.Read.IsPending)
            {
                source.Read.Watched = want && !source.Eof;
                continue;
            }

            if (source.Held > 0)
            {
                _loop.EnqueueReady(static s =>
                {
                    var (t, held) = ((StreamPipeTransport, Source))s!;
                    t.Deliver(held, held.Held);
                }, (this, source));
                continue;
            }

            source.Read.Start(source, static s => s.Stream.ReadAsync(s.Buffer.AsMemory()));
        }
    }

    private void OnRead(Source source)
    {
        source.Read.Finish();
        if (_lost || _closing)
        {
            return;   // aborted by the close, or arrived after it
        }

        if (source.Read.Error is { } error)
        {
            Fatal(error as IOException ?? new IOException($"Reading from a pipe failed: {error.Message}", error), "Fatal read error on pipe transport");
            return;
        }

        Deliver(source, source.Read.Result);
    }

    private void Deliver(Source source, int n)
    {
        source.Held = 0;
        if (_lost || _closing)
        {
            return;
        }

        if (!WantsToRead)
        {
            source.Held = n;   // paused meanwhile: keep it for ResumeReading
            return;
        }

        if (n == 0)
        {
            source.Eof = true;
            if (--_open == 0)
            {
                OnReadEof();
            }

            return;
        }

        try
        {
            DeliverCopy(source.Buffer.AsSpan(0, n));
        }
        finally
        {
            UpdateReader();   // read on, as epoll's level-triggered reader does even when the protocol threw
        }
    }

    /// <summary>The portable backend writes pipes only asynchronously.</summary>
    protected override int TryWriteNow(ReadOnlySpan<byte> data) => 0;

    protected override void StartWriting()
    {
        if (_out.InFlight == 0 && _out.Count > 0)
        {
            _write!.Start((_writeTo!, _out.BeginSend()), static s => WriteAll(s.Item1, s.Item2));
        }
    }

    private static async ValueTask<int> WriteAll(Stream stream, ReadOnlyMemory<byte> data)
    {
        await stream.WriteAsync(data).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
        return data.Length;
    }

    private void OnWritten()
    {
        _write!.Finish();
        if (_lost)
        {
            return;
        }

        if (_write.Error is { } error)
        {
            OnWriteError(error as IOException ?? new IOException($"Writing to a pipe failed (the reading process may have exited): {error.Message}", error));
            return;
        }

        if (_out.InFlight == 0)
        {
            return;   // the buffer was dropped by an abort meanwhile
        }

        _out.EndSend(_write.Result);
        StartWriting();
        OnWriteProgress();
    }

    /// <summary>A write in flight cannot be recalled: its completion finds the buffer dropped and does nothing.</summary>
    protected override void StopWriting()
    {
    }

    protected override void Release()
    {
        _write?.Watched = false;
        foreach (Source source in _sources)
        {
            source.Read.Watched = false;
            source.Stream.Dispose();
        }

        _writeTo?.Dispose();
    }

    public override object? GetExtraInfo(string name) => name == "pipe" ? (_writeTo ?? _sources[0].Stream) : null;

    public override string ToString() => $"<StreamPipeTransport {(_readable ? "read" : "write")}{(_closing ? " closing" : "")}>";
}
