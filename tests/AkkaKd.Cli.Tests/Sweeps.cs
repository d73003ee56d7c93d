namespace AkkaKd.Cli.Tests;

/// <summary>Sweep files the process tests share.</summary>
public static class Sweeps
{
    /// <summary>12 trials of a few tenths of a second: 2 widths x 2 seeds x (a baseline + 2 temperatures at alpha 0.9).</summary>
    public const string Twelve = """
        sweep {
          name = twelve
          data    { source = "embedded:mnist10k", train = 1500, test = 500 }
          teacher { hidden = [64], epochs = 2, batch = 32, lr = 0.003 }
          student { epochs = 6, batch = 32, lr = 0.003 }
          grid    { temperature = [2, 4], alpha = [0, 0.9], width = [32, 64], seeds = [1, 2] }
        }
        """;
}
