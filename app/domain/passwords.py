"""The password policy (pure): at least 8 characters, not digits only, not a common password,
not the username. Checked wherever a password is set (user add, user passwd, init's admin)."""
from __future__ import annotations

from app.errors import ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128

# Passwords seen first in every leaked list, Chinese sites' lists included (compared case-blind).
COMMON = frozenset("""
password password1 password123 passw0rd p@ssw0rd p@ssword iloveyou welcome welcome1 welcome123
qwertyui qwerty12 qwerty123 qwertyuiop qwer1234 asdfghjk asdf1234 asdfasdf zxcvbnm1 zxcvbnm123
1qaz2wsx 1q2w3e4r 1q2w3e4r5t q1w2e3r4 q1w2e3r4t5 qazwsxedc qaz12345 zaq12wsx 1qazxsw2 abc12345
abcd1234 abc123456 a1234567 a12345678 a123456789 aa123456 aa12345678 aaaaaaaa abcdefgh abcdefg1
admin123 admin1234 admin888 admin@123 admin12345 administrator root1234 root@123 test1234 test123456
changeme letmein1 letmein123 monkey12 dragon12 sunshine princess football baseball superman
woaini1314 woaini520 woaini123 5201314a iloveyou1 huawei123 huawei@123 wang1234 zhang123
qq123456 qq5201314 china123 beijing1 shanghai hello123 hello1234 pass1234 password! password@
11111111a a1111111 1234567a 12345678a 123456789a 123456abc 123abc456 abc123abc qwe12345
qweasdzxc qweasd123 1234qwer 1234abcd 12qwaszx computer internet trustno1 starwars whatever
""".split())


def check_password(password: str | None, username: str | None = None, field: str = "password") -> str:
    """Return ``password`` if the policy allows it, else raise a ValidationError naming ``field``."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"密码至少 {MIN_LENGTH} 个字符", field=field)
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"密码不能超过 {MAX_LENGTH} 个字符", field=field)
    if password.isdigit():
        raise ValidationError("密码不能全是数字", field=field)
    if len(set(password)) <= 2:
        raise ValidationError("密码过于简单（重复的字符）", field=field)
    if password.lower() in COMMON:
        raise ValidationError("这是常见密码，容易被猜中，请换一个", field=field)
    if username and password.lower() == username.strip().lower():
        raise ValidationError("密码不能与用户名相同", field=field)
    return password
