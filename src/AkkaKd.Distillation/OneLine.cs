using System.Globalization;
using System.Text;

namespace AkkaKd.Distillation;

/// <summary>
/// User errors are one line, whatever the user's text holds: a file name or value with a newline or another control
/// character is shown escaped ("a\nb"), so the message stays one line on the screen and in logs.
/// </summary>
public static class OneLine
{
    public static string Of(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var b = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            b.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return b.ToString();
    }
}
