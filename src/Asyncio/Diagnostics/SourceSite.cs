namespace Asyncio;

/// <summary>
/// A place in the source: the async method (e.g. <c>Program.Worker</c>) and, when its portable PDB was found, the
/// file, 1-based line and column of the statement there.
/// </summary>
/// <remarks>Invariant: <see cref="File"/> is null exactly when no PDB gave a location; then Line and Column are 0.</remarks>
internal readonly record struct SourceSite(string Method, string? File, int Line, int Column)
{
    /// <summary><c>Program.Worker at /src/Program.cs:12</c>, or just the method when the file is unknown.</summary>
    public override string ToString() => File is null ? Method : $"{Method} at {File}:{Line}";
}
