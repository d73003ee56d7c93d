namespace AkkaKd.Sweep;

public static partial class SweepFile
{
    /// <summary>Where the laptop sweep lives in the repository; built into this assembly from there.</summary>
    public const string LaptopPath = "configs/laptop.hocon";

    /// <summary>
    /// The laptop sweep, configs/laptop.hocon as it was built into the program: what <c>akkakd sweep</c> runs without a
    /// file. Keys it does not set take their defaults (<see cref="Defaults"/>), as in any sweep file.
    /// </summary>
    public static string Laptop { get; } = ReadLaptop();

    /// <summary>The laptop sweep (<see cref="Laptop"/>) with overrides "key=value" applied in order.</summary>
    public static SweepSettings LoadLaptop(IEnumerable<string>? overrides = null) =>
        Parse(Laptop, $"the built-in laptop sweep ({LaptopPath})", overrides);

    private static string ReadLaptop()
    {
        using var stream = typeof(SweepFile).Assembly.GetManifestResourceStream(LaptopPath)
                           ?? throw new InvalidOperationException($"{LaptopPath} is not built into {typeof(SweepFile).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
