using AkkaKd.Distillation.Data;

namespace AkkaKd.Cli
{
    public static class Program
    {
        public const string Usage = """
            akkakd: knowledge-distillation hyperparameter sweeps on Akka.NET

            usage:
              akkakd sweep [FILE] [--out DIR] [--resume] [--force] [--set key=value]... [--slots N]
                           [--host H] [--port P] [--seeds URI,...] [--min-workers K]   (akkakd sweep --help)
              akkakd worker --seeds URI,... [--host H] [--port P] [--slots N]         (akkakd worker --help)
              akkakd leaderboard DIR [--watch] [--top N]             (the ranking from DIR/results.jsonl; --watch follows it)
              akkakd report DIR                                      (writes DIR/report.html: plots, statistics, the sweep)
              akkakd bench [--json] [--peer kd_torch.py] [options]   (akkakd bench --help)
              akkakd data                                            (the embedded data set and its attribution)

            exit codes: 0 done, 1 trials failed, 2 usage or sweep-file error, 3 data error
            """;

        public static int Main(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Done;
            }
            var rest = args[1..];
            try
            {
                return args[0] switch
                {
                    "bench" when rest.Contains("--help") => PrintAndReturn(BenchCommand.Usage),
                    "bench" => BenchCommand.Run(rest),
                    "sweep" when rest.Contains("--help") => PrintAndReturn(SweepCommand.Usage),
                    "sweep" => SweepCommand.Run(rest),
                    "worker" when rest.Contains("--help") => PrintAndReturn(WorkerCommand.Usage),
                    "worker" => WorkerCommand.Run(rest),
                    "leaderboard" when rest.Contains("--help") => PrintAndReturn(LeaderboardCommand.Usage),
                    "leaderboard" => LeaderboardCommand.Run(rest),
                    "report" when rest.Contains("--help") => PrintAndReturn(ReportCommand.Usage),
                    "report" => ReportCommand.Run(rest),
                    "data" => PrintAndReturn(DataSource.EmbeddedAttribution()),
                    _ => throw new UsageException($"unknown command '{args[0]}' (akkakd --help lists them)"),
                };
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"akkakd: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (DataException e)
            {
                Console.Error.WriteLine($"akkakd: data error: {e.Message}");
                return ExitCodes.Data;
            }
        }

        private static int PrintAndReturn(string text)
        {
            Console.WriteLine(text);
            return ExitCodes.Done;
        }
    }
}
