# Build the towndesk Windows setup: venv -> PyInstaller one-folder build -> Inno Setup.
#
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1 [-Python C:\Python311\python.exe] [-Iscc "C:\...\ISCC.exe"] [-SkipInstallTest]
#
# Output: dist\towndesk\ (the one-folder build) and dist\towndesk-setup-<version>.exe.
# Needs: 64-bit Python 3.11 (python.org), Inno Setup 6.3+, network access to PyPI (or a local mirror).
# Checks, each stopping the build when it fails: installer\smoke.py on the one-folder build (start,
# --version, demo, a case, its dossier printed to PDF, the window up for 8 s); then the setup is
# installed silently into a temporary folder, the same smoke test runs on the installed copy, and it
# is uninstalled again (the setup asks for administrator rights: run elevated, or -SkipInstallTest).
# Never run on Windows by the project so far (the Linux build machine cannot build .exe files):
# see installer/README.md, "Windows".
param(
    [string]$Python = "python",
    [string]$Iscc = "",
    [switch]$SkipInstallTest
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root

if (-not (Test-Path ".venv\Scripts\python.exe")) {
    & $Python -m venv .venv
    if ($LASTEXITCODE -ne 0) { throw "could not create .venv with $Python" }
}
& .venv\Scripts\python.exe -m pip install --upgrade pip
& .venv\Scripts\python.exe -m pip install -e ".[installer]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

& .venv\Scripts\python.exe -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller installer\towndesk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$Version = (& .venv\Scripts\python.exe -c "from importlib.metadata import version; print(version('towndesk'))").Trim()
$Frozen = (& dist\towndesk\towndesk-cli.exe --version).Trim()
if ($Frozen -ne "towndesk $Version") { throw "frozen build says '$Frozen', expected 'towndesk $Version'" }
& .venv\Scripts\python.exe installer\smoke.py dist\towndesk\towndesk-cli.exe --window dist\towndesk\towndesk.exe --version $Version
if ($LASTEXITCODE -ne 0) { throw "smoke test of dist\towndesk failed" }

if (-not $Iscc) {
    $found = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    $candidates = @()
    if ($found) { $candidates += $found.Source }
    $candidates += "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                   "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
    $Iscc = $candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    if (-not $Iscc) { throw "ISCC.exe (Inno Setup 6.3+) not found: install it or pass -Iscc" }
}
& $Iscc "/DAppVersion=$Version" "/DBundleDir=$Root\dist\towndesk" "/DOutputDir=$Root\dist" installer\windows\towndesk.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
$Setup = "$Root\dist\towndesk-setup-$Version.exe"
Write-Host "built $Setup"

if (-not $SkipInstallTest) {
    $Target = Join-Path $env:TEMP "towndesk-install-test-$PID"
    $Log = Join-Path $env:TEMP "towndesk-install-test-$PID.log"
    $p = Start-Process -FilePath $Setup -Wait -PassThru -ArgumentList "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/DIR=`"$Target`"", "/LOG=`"$Log`"", "/MERGETASKS=`"!desktopicon`""
    if ($p.ExitCode -ne 0) { throw "silent install failed (exit $($p.ExitCode)), log: $Log" }
    try {
        & .venv\Scripts\python.exe installer\smoke.py "$Target\towndesk-cli.exe" --window "$Target\towndesk.exe" --version $Version
        if ($LASTEXITCODE -ne 0) { throw "smoke test of the installed copy in $Target failed" }
    } finally {
        $u = Start-Process -FilePath "$Target\unins000.exe" -Wait -PassThru -ArgumentList "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"
        if ($u.ExitCode -ne 0) { Write-Warning "uninstall returned $($u.ExitCode)" }
    }
    Write-Host "installed, smoke-tested and uninstalled $Setup"
}
