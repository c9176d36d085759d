package notify_test

import (
	"fmt"
	"time"

	"github.com/gostca/gostca/ca/notify"
)

func ExampleRender() {
	m, err := notify.Render("ivan@example.ru", notify.Event{
		Kind:     notify.Reminder,
		Name:     "Иванов Иван Иванович",
		Serial:   "5f3a9c0e71d2b4a8",
		NotAfter: time.Date(2027, time.March, 15, 9, 0, 0, 0, time.UTC),
		DaysLeft: 7,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Subject)
	// Output: Срок действия сертификата истекает через 7 дней
}

func ExampleDays() {
	for _, n := range []int{1, 3, 7, 21, 30} {
		fmt.Println(notify.Days(n))
	}
	// Output:
	// 1 день
	// 3 дня
	// 7 дней
	// 21 день
	// 30 дней
}
