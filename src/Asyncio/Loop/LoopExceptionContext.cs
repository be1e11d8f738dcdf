using System.Collections;

namespace Asyncio;

/// <summary>
/// What the loop knows about an error it could not deliver to anyone (asyncio's exception handler <c>context</c> dict).
/// Typed properties for the documented keys; as a dictionary it exposes asyncio's key names
/// (<c>message</c>, <c>exception</c>, <c>future</c>, <c>task</c>, <c>handle</c>, <c>protocol</c>, <c>transport</c>,
/// <c>socket</c>, <c>source_traceback</c>, <c>handle_traceback</c>, <c>asyncgen</c>) plus any <see cref="Extra"/> keys.
/// </summary>
public sealed class LoopExceptionContext : IReadOnlyDictionary<string, object?>
{
    /// <summary>Creates a context with its required message.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public LoopExceptionContext(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
    }

    /// <summary>What happened (key <c>message</c>; always present).</summary>
    public string Message { get; }

    /// <summary>The exception, if any (key <c>exception</c>).</summary>
    public Exception? Exception { get; init; }

    /// <summary>The future involved (key <c>future</c>).</summary>
    public AioFuture? Future { get; init; }

    /// <summary>The task involved (key <c>task</c>).</summary>
    public AioTask? Task { get; init; }

    /// <summary>The callback handle or its description (key <c>handle</c>).</summary>
    public object? Handle { get; init; }

    /// <summary>The protocol instance (key <c>protocol</c>).</summary>
    public object? Protocol { get; init; }

    /// <summary>The transport instance (key <c>transport</c>).</summary>
    public object? Transport { get; init; }

    /// <summary>The socket (key <c>socket</c>).</summary>
    public object? Socket { get; init; }

    /// <summary>Where the failing object was created (key <c>source_traceback</c>; debug mode).</summary>
    public string? SourceTraceback { get; init; }

    /// <summary>Where the failing callback was queued (key <c>handle_traceback</c>; debug mode).</summary>
    public string? HandleTraceback { get; init; }

    /// <summary>The async iterator involved (key <c>asyncgen</c>).</summary>
    public object? AsyncGen { get; init; }

    /// <summary>The original context, when this one reports a failure of the exception handler itself (key <c>context</c>).</summary>
    public LoopExceptionContext? InnerContext { get; init; }

    /// <summary>Further keys ("new keys may be introduced in the future").</summary>
    public IReadOnlyDictionary<string, object?> Extra { get; init; } = new Dictionary<string, object?>();

    private IEnumerable<KeyValuePair<string, object?>> Pairs()
    {
        yield return new("message", Message);
        if (Exception is not null) { yield return new("exception", Exception); }
        if (Future is not null) { yield return new("future", Future); }
        if (Task is not null) { yield return new("task", Task); }
        if (Handle is not null) { yield return new("handle", Handle); }
        if (Protocol is not null) { yield return new("protocol", Protocol); }
        if (Transport is not null) { yield return new("transport", Transport); }
        if (Socket is not null) { yield return new("socket", Socket); }
        if (SourceTraceback is not null) { yield return new("source_traceback", SourceTraceback); }
        if (HandleTraceback is not null) { yield return new("handle_traceback", HandleTraceback); }
        if (AsyncGen is not null) { yield return new("asyncgen", AsyncGen); }
        if (InnerContext is not null) { yield return new("context", InnerContext); }
        foreach (var kv in Extra)
        {
            yield return kv;
        }
    }

    /// <inheritdoc/>
    public object? this[string key] => TryGetValue(key, out object? v) ? v : throw new KeyNotFoundException($"The exception context has no key '{key}'.");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => Pairs().Select(p => p.Key);

    /// <inheritdoc/>
    public IEnumerable<object?> Values => Pairs().Select(p => p.Value);

    /// <inheritdoc/>
    public int Count => Pairs().Count();

    /// <inheritdoc/>
    public bool ContainsKey(string key) => Pairs().Any(p => p.Key == key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out object? value)
    {
        foreach (var p in Pairs())
        {
            if (p.Key == key)
            {
                value = p.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Pairs().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The message followed by one sorted <c>key: value</c> line per other key, as asyncio's default handler logs it.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder(Message);
        foreach (var p in Pairs().Where(p => p.Key is not ("message" or "exception")).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(p.Key).Append(": ").Append(p.Value);
        }

        return sb.ToString();
    }
}
