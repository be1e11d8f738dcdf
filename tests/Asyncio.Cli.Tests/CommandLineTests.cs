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
    public void Inspection_OfAProcessThatDoesNotExist_FailsWithExitCode1AndSaysSo(string command)
    {
        var r = CliRunner.Run(command, "2147483647");

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"aio {command}: There is no process with id 2147483647.", r.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Inspection_OfAProcessThatDidNotOptIn_SaysHowToOptIn()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var r = CliRunner.Run("ps", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("does not accept inspection: start it with ASYNCIO_INSPECT=1", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_FailsWithAMessage()
    {
        var r = CliRunner.Run("frobnicate");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("frobnicate", r.Stderr, StringComparison.Ordinal);
    }
}
