namespace Asyncio;

/// <summary>What a child's standard stream is connected to (asyncio's <c>PIPE</c>, <c>DEVNULL</c>, <c>STDOUT</c>, or None).</summary>
public enum SubprocessRedirect
{
    /// <summary>Inherited from this process (asyncio's None).</summary>
    Inherit,

    /// <summary>A pipe to this process: a stream writer for stdin, a stream reader for stdout and stderr.</summary>
    Pipe,

    /// <summary>/dev/null.</summary>
    DevNull,

    /// <summary>For stderr only: the same as stdout (asyncio's <c>STDOUT</c>).</summary>
    StdOut,
}
