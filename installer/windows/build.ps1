# Build the towndesk Windows setup: venv -> PyInstaller one-folder build -> Inno Setup.
#
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1 [-Python C:\Python311\python.exe] [-Iscc "C:\...\ISCC.exe"]
#
# Output: dist\towndesk\ (the one-folder build) and dist\towndesk-setup-<version>.exe.
# Needs: 64-bit Python 3.11 (python.org), Inno Setup 6.3+, network access to PyPI (or a local mirror).
param(
    [string]$Python = "python",
    [string]$Iscc = ""
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
Write-Host "built dist\towndesk-setup-$Version.exe"
