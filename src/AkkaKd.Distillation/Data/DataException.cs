namespace AkkaKd.Distillation.Data;

/// <summary>
/// A data file that cannot be used: missing, truncated, corrupt or inconsistent.
/// The message is one line that names the file and the problem; the CLI turns it into exit code 3.
/// </summary>
public sealed class DataException : Exception
{
    public DataException(string file, string problem, Exception? inner = null)
        : base(OneLine.Of($"{file}: {problem}"), inner)
    {
        File = file;
        Problem = problem;
    }

    public string File { get; }
    public string Problem { get; }
}
