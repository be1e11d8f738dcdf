using Asyncio.Samples;

namespace Asyncio.Cli.Tests;

public class SamplesCommandTests
{
    public static TheoryData<string> SampleNames()
    {
        var data = new TheoryData<string>();
        foreach (ISample s in SampleCatalog.All)
        {
            data.Add(s.Name);
        }

        return data;
    }

    [Fact]
    public void List_PrintsEverySampleWithItsQuestion()
    {
        var r = CliRunner.Run("samples", "--list");

        Assert.Equal(0, r.ExitCode);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SampleCatalog.All.Count + 1, lines.Length);   // a heading, then one line per sample
        foreach (ISample s in SampleCatalog.All)
        {
            Assert.Contains(lines, l => l.TrimStart().StartsWith(s.Name + " ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(s.Question, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Run_EachSample_PrintsWhatTheSamplePrints(string name)
    {
        var expected = new StringWriter();
        SampleCatalog.Find(name)!.Run(expected, new LoopOptions { Clock = new VirtualClock() });

        var r = CliRunner.Run("samples", name, "--virtual");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected.ToString(), r.Stdout);
        Assert.NotEqual("", r.Stdout);
    }

    [Fact]
    public void Run_UnknownSample_ExitCode2AndSuggestions()
    {
        var r = CliRunner.Run("samples", "cancel");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no sample is called 'cancel'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("cancel-a-task", r.Stderr, StringComparison.Ordinal);
    }
}
