namespace Asyncio.Samples;

/// <summary>One example of the seed notes, ported to C#.</summary>
public interface ISample
{
    /// <summary>Short name to run it by, e.g. <c>create-and-run-event-loop</c>.</summary>
    string Name { get; }

    /// <summary>The question of the notes it answers.</summary>
    string Question { get; }

    /// <summary>
    /// Runs the example, writing what the Python version prints to <paramref name="output"/>. The loop(s) it creates
    /// use <paramref name="options"/> (a virtual clock in tests, the real clock from the command line).
    /// </summary>
    void Run(TextWriter output, LoopOptions options);
}
