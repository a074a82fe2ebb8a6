namespace Platform.Testing;

/// <summary>
/// A fresh, empty folder under the system temp folder (e.g. for SQLite files), deleted on <see cref="Dispose"/>.
/// </summary>
/// <example><code>
/// using var temp = new TempDirectory();
/// var connectionString = $"Data Source={temp.File("test.db")}";
/// </code></example>
public sealed class TempDirectory : IDisposable
{
    /// <summary>
    /// Creates <c>$TMPDIR/platform-&lt;prefix&gt;-&lt;random&gt;</c> (mode 700 on Unix). No shared parent folder: one
    /// created by root would not be writable for other users running the tests on the same machine.
    /// </summary>
    public TempDirectory(string prefix = "tmp")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        Path = System.IO.Directory.CreateTempSubdirectory($"platform-{prefix}-").FullName;
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Full path of <paramref name="relativePath"/> inside the folder (the file is not created).</summary>
    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    /// <summary>Creates (if needed) and returns a sub folder.</summary>
    public string SubDirectory(string relativePath) => System.IO.Directory.CreateDirectory(File(relativePath)).FullName;

    public override string ToString() => Path;

    /// <summary>
    /// Deletes the folder with everything in it. Retries briefly (files still held open, e.g. by a SQLite
    /// connection pool on Windows) and never throws: a leftover temp folder must not fail a test.
    /// Clear SQLite pools (<c>SqliteConnection.ClearAllPools()</c>) before disposing if the files must go.
    /// </summary>
    public void Dispose()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (System.IO.Directory.Exists(Path))
                {
                    System.IO.Directory.Delete(Path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(50 * (attempt + 1));
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(50 * (attempt + 1));
            }
        }
    }
}
