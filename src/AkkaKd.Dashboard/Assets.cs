using System.Collections.Frozen;

namespace AkkaKd.Dashboard;

/// <summary>
/// The pages, scripts and styles, embedded in the assembly and served by exact name: a request names one of these or
/// gets 404, so no path reaches the file system.
/// </summary>
internal static class Assets
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> All = Load();

    public static bool TryGet(string name, out byte[] bytes, out string type)
    {
        if (All.TryGetValue(name, out var a))
        {
            (bytes, type) = a;
            return true;
        }
        (bytes, type) = ([], "");
        return false;
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var asm = typeof(Assets).Assembly;
        var d = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            var file = name["wwwroot/".Length..];
            d[file] = (m.ToArray(), Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            });
        }
        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
