namespace Asyncio.Cli.Tests;

public class CommandLineTests
{
    [Fact]
    public void Help_ListsEveryCommand()
    {
        var r = CliRunner.Run("--help");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("aio [command] [options]", r.Stdout, StringComparison.Ordinal);
        foreach (string command in new[] { "compare", "samples", "bench", "ps <pid>", "pstree <pid>" })
        {
            Assert.Contains(command, r.Stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("__probe", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareHelp_DescribesEveryOption()
    {
        var r = CliRunner.Run("compare", "--help");

        Assert.Equal(0, r.ExitCode);
        foreach (string option in new[] { "--quick", "--json", "--plot <DIR>" })
        {
            Assert.Contains(option, r.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ps")]
    [InlineData("pstree")]
    public void Inspection_NotImplemented_SaysSoWithExitCode2(string command)
    {
        var r = CliRunner.Run(command, "1234");

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            $"aio {command}: not available yet: the inspection endpoint is not implemented (process 1234 was not contacted).",
            r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void UnknownCommand_FailsWithAMessage()
    {
        var r = CliRunner.Run("frobnicate");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("frobnicate", r.Stderr, StringComparison.Ordinal);
    }
}
