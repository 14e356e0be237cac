export const messages = {
  vi: {
    "login.title": "Đăng nhập",
    "login.heading": "Đăng nhập cán bộ",
    "login.intro": "Dành cho cán bộ Trung tâm điều hành và các cơ quan xử lý.",
    "login.username": "Tên đăng nhập",
    "login.password": "Mật khẩu",
    "login.submit": "Đăng nhập",
    "login.missing": "Vui lòng nhập tên đăng nhập và mật khẩu.",
    "login.wrong": "Tên đăng nhập hoặc mật khẩu không đúng.",
  },
  en: {
    "login.title": "Sign in",
    "login.heading": "Staff sign-in",
    "login.intro": "For operations-centre and agency staff.",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.missing": "Please enter your username and password.",
    "login.wrong": "Wrong username or password.",
  },
};
