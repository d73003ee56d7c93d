namespace AkkaKd.Cli;

/// <summary>A mistake on the command line: one line for the user, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The documented exit codes.</summary>
public static class ExitCodes
{
    public const int Done = 0;
    public const int TrialsFailed = 1;
    public const int Usage = 2;
    public const int Data = 3;
    public const int Cancelled = 4;
    public const int Interrupted = 130;
    public const int HangUp = 129;
    public const int Terminated = 143;
}
